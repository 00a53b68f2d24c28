"""Production-line indicators for the 一带 card and the 六望花 board, computed from the telemetry."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, register

from . import kpis
from .models import ProductionLine

DAY = timedelta(days=1)
MONTH = timedelta(days=30)


def _lines(region=None) -> list[ProductionLine]:
    lines = ProductionLine.objects.filter(active=True)
    if region is not None:
        lines = lines.filter(enterprise__region__path__startswith=region.path)
    return list(lines)


def _last(span: timedelta) -> tuple:
    now = timezone.now()
    return now - span, now


@register("industry.oee", name=_("OEE of the production lines (last 24 h)"), goal=Goal.INNOVATION, unit="%",
          zone="belt")
def oee(region=None) -> float:
    lines = _lines(region)
    values = [value.oee for value in (kpis.oee(line, *_last(DAY)) for line in lines) if value.reported]
    return round(100 * sum(values) / len(values), 1) if values else 0.0


@register("industry.output", name=_("Pieces produced (last 24 h)"), goal=Goal.STRENGTH, unit="支",
          zone="belt")
def output(region=None) -> int:
    return sum(kpis.oee(line, *_last(DAY)).output for line in _lines(region))


@register("industry.downtime", name=_("Downtime (last 30 days)"), goal=Goal.STRENGTH, unit=_("hours"), zone="belt")
def downtime(region=None) -> float:
    return kpis.stop_kpis(_lines(region), *_last(MONTH)).downtime_hours


@register("industry.hot_stops", name=_("Hot stops (last 30 days)"), goal=Goal.STRENGTH, unit=_("count"))
def hot_stops(region=None) -> int:
    return kpis.stop_kpis(_lines(region), *_last(MONTH)).hot


@register("industry.cold_stops", name=_("Cold stops (last 30 days)"), goal=Goal.STRENGTH, unit=_("count"))
def cold_stops(region=None) -> int:
    return kpis.stop_kpis(_lines(region), *_last(MONTH)).cold


@register("industry.failure_rate", name=_("Equipment failure rate (last 30 days)"), goal=Goal.INNOVATION,
          unit="%")
def failure_rate(region=None) -> float:
    return kpis.stop_kpis(_lines(region), *_last(MONTH)).failure_rate_percent


@register("industry.alarm_rate", name=_("Alarms per 10 minutes (last 24 h)"), goal=Goal.INNOVATION,
          unit=_("alarms"))
def alarm_rate(region=None) -> float:
    lines = _lines(region)
    return kpis.alarm_kpis(lines, *_last(DAY)).per_10_min if lines else 0.0
