"""Telemetry retention: raw samples and minute rollups older than their configured age are removed in
chunks (so the ingest worker is never blocked for long). The alarm journal and stops are kept."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import DeadLetter, MinuteRollup, Sample

CHUNK = 50_000


def _delete_before(model, field: str, cutoff) -> int:
    removed = 0
    while True:
        ids = list(model.objects.filter(**{f"{field}__lt": cutoff}).values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return removed
        with transaction.atomic():  # nothing refers to these rows: Django deletes them in one statement
            removed += model.objects.filter(pk__in=ids).delete()[0]


def prune(now=None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "samples": _delete_before(Sample, "ts", now - timedelta(days=settings.TELEMETRY_RAW_DAYS)),
        "rollups": _delete_before(MinuteRollup, "minute", now - timedelta(days=settings.TELEMETRY_ROLLUP_DAYS)),
        "dead_letters": _delete_before(DeadLetter, "received_at", now - timedelta(days=settings.TELEMETRY_RAW_DAYS)),
    }
