"""Telemetry retention: raw samples, minute and hour rollups older than their configured age are removed in
whole partitions — dropped on PostgreSQL, deleted in chunks on SQLite (telemetry/partitions.py), so the
ingest worker is never blocked for long. The alarm journal and stops are kept."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import DeadLetter, PendingHour
from .telemetry import partitions

CHUNK = 50_000
HOURS = partitions.Partitioned("industry_hourrollup", "hour", 7, ("tag_id", "hour"))  # small: never partitioned


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
    rollups = now - timedelta(days=settings.TELEMETRY_ROLLUP_DAYS)
    boundary = partitions.retention_boundary(partitions.MINUTES, rollups)
    PendingHour.objects.filter(hour__lt=boundary).delete()
    return {
        "samples": partitions.retire(partitions.SAMPLES, now - timedelta(days=settings.TELEMETRY_RAW_DAYS)),
        "rollups": partitions.retire(partitions.MINUTES, rollups),
        "hour_rollups": partitions.delete_chunked(HOURS, boundary),
        "dead_letters": _delete_before(DeadLetter, "received_at", now - timedelta(days=settings.TELEMETRY_RAW_DAYS)),
    }
