"""The refresh engine (entered through `services.refresh_indicators`): store every indicator for the
district, each town/street and village/community, and the by-unit indicators for each government unit, as of a
moment (now, or a past month end for history). One failing indicator is recorded and skipped; the others still
land."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wanghua.core import indicators
from wanghua.org.models import Region, RegionLevel, Unit, UnitKind

from .models import IndicatorValue, RefreshRun

log = logging.getLogger(__name__)
BOARD_LEVELS = (RegionLevel.STREET, RegionLevel.COMMUNITY)
BOARD_UNIT_KINDS = (UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT)


@dataclass(frozen=True)
class Scope:
    key: str  # "district", "r<id>", "u<id>"
    region: Region | None = None
    unit: Unit | None = None
    # Whose board it is: the stored values are then read through IndicatorValue.objects.visible_to(viewer).
    viewer: Any = field(default=None, compare=False, repr=False)

    @property
    def label(self) -> str:
        return str(self.unit or self.region or "")


DISTRICT = Scope("district")


def region_scope(region: Region, viewer=None) -> Scope:
    return Scope(f"r{region.pk}", region=region, viewer=viewer)


def unit_scope(unit: Unit, viewer=None) -> Scope:
    return Scope(f"u{unit.pk}", unit=unit, viewer=viewer)


def all_scopes() -> list[Scope]:
    regions = Region.objects.filter(level__in=BOARD_LEVELS).order_by("path").defer("geojson")
    units = Unit.objects.filter(kind__in=BOARD_UNIT_KINDS, active=True).order_by("path")
    return [DISTRICT, *map(region_scope, regions), *map(unit_scope, units)]


def applies(indicator: indicators.Indicator, scope: Scope) -> bool:
    return scope.unit is None or indicator.by_unit


def month_start(day: date) -> date:
    return day.replace(day=1)


def _as_decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def _compute(scopes: list[Scope], moment: datetime) -> tuple[list[IndicatorValue], list[dict]]:
    period, rows, failures = month_start(timezone.localdate(moment)), [], []
    with indicators.as_of(moment):
        for indicator in indicators.REGISTRY.values():
            for scope in scopes:
                if not applies(indicator, scope):
                    continue
                try:
                    value = indicator.value(region=scope.region, unit=scope.unit)
                except Exception as exc:  # one broken indicator must not stop the board
                    log.exception("indicator %s failed for %s", indicator.key, scope.key)
                    failures.append({"key": indicator.key, "scope": scope.key, "error": repr(exc)[:300]})
                    continue
                rows.append(IndicatorValue(key=indicator.key, period=period, scope=scope.key, region=scope.region,
                                           unit=scope.unit, value=_as_decimal(value), computed_at=moment))
    return rows, failures


def refresh(moment: datetime | None = None, *, trigger: str = "schedule", user=None,
            scopes: list[Scope] | None = None) -> RefreshRun:
    """Compute every indicator for every scope as of `moment` and store them under its month."""
    moment = moment or timezone.now()
    began = time.perf_counter()
    run = RefreshRun.objects.create(started_at=timezone.now(), period=month_start(timezone.localdate(moment)),
                                    trigger=trigger, requested_by=user if getattr(user, "pk", None) else None)
    rows, failures = _compute(scopes if scopes is not None else all_scopes(), moment)
    with transaction.atomic():
        # Computed figures, not anybody's edit: written past the audit, like the tallies.
        IndicatorValue._base_manager.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                           unique_fields=["scope", "period", "key"],
                                           update_fields=["value", "computed_at", "region", "unit"])
        run.values, run.failures = len(rows), failures
        run.seconds, run.finished_at = round(time.perf_counter() - began, 2), timezone.now()
        run.save()
    return run


def month_end(period: date) -> datetime:
    """The last moment of the month that starts on `period` (local time)."""
    following = month_start(period + timedelta(days=32))
    return timezone.make_aware(datetime.combine(following, datetime.min.time())) - timedelta(microseconds=1)


def generation() -> int:
    """The last finished refresh: the boards' cached fragments carry it in their keys, so every web process
    (and a refresh run from cron in another process) moves them on without a shared cache."""
    return RefreshRun.objects.filter(finished_at__isnull=False).aggregate(last=Max("pk"))["last"] or 0
