"""Production-line indicators for the 一带 card and the 六望花 board, computed from the telemetry."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from wanghua.core.indicators import Goal, now, records, register, shared

from . import queries
from .models import LineStatus, LiveSnapshot, ProductionLine

DAY = timedelta(days=1)
MONTH = timedelta(days=30)


def _lines(region=None) -> list[ProductionLine]:
    lines = ProductionLine.objects.filter(active=True)
    if region is not None:
        lines = lines.filter(enterprise__region__path__startswith=region.path)
    return list(lines)


def _last(span: timedelta) -> tuple:
    until = now()
    return until - span, until


def _lines_page(region=None) -> str:
    return records("industry:lines", region_param=None)


def _stops(region=None) -> str:
    since, until = _last(MONTH)
    return records("industry:stops", region_param=None, since=since.date().isoformat(),
                   until=until.date().isoformat())


def _month_stops(region=None) -> queries.StopKpis:
    return shared(("industry.stops", region and region.pk), lambda: queries.stop_kpis(_lines(region), *_last(MONTH)))


@register("industry.live_lines", name=_("Lines running now"), goal=Goal.STRENGTH, unit=_("lines"), zone="belt",
          drill=_lines_page)
def live_lines(region=None) -> int:
    return LiveSnapshot.objects.filter(line__in=_lines(region), status=LineStatus.RUNNING).count()


@register("industry.oee", name=_("OEE of the production lines (last 24 h)"), goal=Goal.INNOVATION, unit="%",
          zone="belt", drill=_lines_page)
def oee(region=None) -> float:
    lines = _lines(region)
    values = [value.oee for value in (queries.oee(line, *_last(DAY)) for line in lines) if value.reported]
    return round(100 * sum(values) / len(values), 1) if values else 0.0


@register("industry.output", name=_("Pieces produced (last 24 h)"), goal=Goal.STRENGTH, unit="支",
          zone="belt", drill=_lines_page)
def output(region=None) -> int:
    return sum(queries.oee(line, *_last(DAY)).output for line in _lines(region))


@register("industry.downtime", name=_("Downtime (last 30 days)"), goal=Goal.STRENGTH, unit=_("hours"), zone="belt",
          drill=_stops, lower_is_better=True)
def downtime(region=None) -> float:
    return _month_stops(region).downtime_hours


@register("industry.hot_stops", name=_("Hot stops (last 30 days)"), goal=Goal.STRENGTH, unit=_("count"),
          drill=_stops, lower_is_better=True)
def hot_stops(region=None) -> int:
    return _month_stops(region).hot


@register("industry.cold_stops", name=_("Cold stops (last 30 days)"), goal=Goal.STRENGTH, unit=_("count"),
          drill=_stops, lower_is_better=True)
def cold_stops(region=None) -> int:
    return _month_stops(region).cold


@register("industry.failure_rate", name=_("Equipment failure rate (last 30 days)"), goal=Goal.INNOVATION,
          unit="%", drill=_stops, lower_is_better=True)
def failure_rate(region=None) -> float:
    return _month_stops(region).failure_rate_percent


@register("industry.alarm_rate", name=_("Alarms per 10 minutes (last 24 h)"), goal=Goal.INNOVATION,
          unit=_("alarms"), drill=lambda region=None: records("industry:alarm_journal", region_param=None),
          lower_is_better=True)
def alarm_rate(region=None) -> float:
    lines = _lines(region)
    return queries.alarm_kpis(lines, *_last(DAY)).per_10_min if lines else 0.0
