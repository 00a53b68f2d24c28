"""Hour rollups: summed from the minute rollups by the job worker, read together with them.

Ingest writes minute rollups in the batch's transaction and marks each (line, hour) it touched in
`PendingHour`, bumping the mark's version. The job worker (`roll_up`) sums every marked hour that has ended
into `HourRollup` and removes the mark only if its version is still the one it read, so a batch committed
meanwhile leaves the hour marked for the next run. Readers (`span`, `hourly`) take an hour from `HourRollup`
when it has ended and is not marked, and from the minute rollups otherwise: they are exact whether or not the
job has caught up, and a 30-day span reads ~720 rows per tag instead of ~43,200. Hours are UTC hours (the
same as Asia/Shanghai's, which is a whole number of hours ahead)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from ..models import HourRollup, MinuteRollup, PendingHour, ProductionLine, Tag

HOUR = timedelta(hours=1)
MAX_PENDING = 48  # more marked hours than this in a read (the job is far behind): read minutes only


class HourPoint(TypedDict):
    """One hour of a tag: the count, sum, lowest and highest of its values (a row of `HourRollup`)."""

    hour: datetime
    n: int
    total: float
    low: float | None
    high: float | None


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _ceil_hour(moment: datetime) -> datetime:
    start = hour_of(moment)
    return start if start == moment else start + HOUR


def mark_pending(hours: Iterable[tuple[int, datetime]]) -> None:
    """Ingest's part, in the batch's transaction: these (line id, hour) need summing again."""
    rows = sorted(set(hours))
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO industry_pendinghour (line_id, hour, version) VALUES (%s, %s, 1) "
            "ON CONFLICT (line_id, hour) DO UPDATE SET version = industry_pendinghour.version + 1",
            [(line_id, adapt(hour)) for line_id, hour in rows])


def load(minutes: list[tuple], hours: list[tuple]) -> None:
    """A generated history, written as it is: minute rollups (tag id, minute, n, total, low, high, last) and the
    hour rollups summed from them (tag id, hour, n, total, low, high). Nothing is marked pending: the hours are
    given. The demo's back-fill before the hours it sends through the pipeline (industry/history.py)."""
    adapted: dict[datetime, Any] = {}

    def adapt(moment: datetime) -> Any:  # a minute is shared by every tag's row: adapted once
        value = adapted.get(moment)
        if value is None:
            value = adapted[moment] = connection.ops.adapt_datetimefield_value(moment)
        return value

    with connection.cursor() as cursor:
        for start in range(0, len(minutes), 50_000):
            cursor.executemany("INSERT INTO industry_minuterollup (tag_id, minute, n, total, low, high, last) "
                               "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                               [(t, adapt(m), *rest) for t, m, *rest in minutes[start:start + 50_000]])
        for start in range(0, len(hours), 50_000):
            cursor.executemany("INSERT INTO industry_hourrollup (tag_id, hour, n, total, low, high) "
                               "VALUES (%s, %s, %s, %s, %s, %s)",
                               [(t, adapt(h), *rest) for t, h, *rest in hours[start:start + 50_000]])


def roll_up(now: datetime | None = None, limit: int = 20_000) -> dict[str, int]:
    """The job worker's part: sum the marked hours that have ended (oldest first, at most `limit`)."""
    current = hour_of(now or timezone.now())
    marks = list(PendingHour.objects.filter(hour__lt=current).order_by("hour", "line_id")
                 .values_list("line_id", "hour", "version")[:limit])
    for line_id, hour, version in marks:
        with transaction.atomic():
            _sum_hour(line_id, hour)
            PendingHour.objects.filter(line_id=line_id, hour=hour, version=version).delete()
    return {"hours": len(marks)}


def _sum_hour(line_id: int, hour: datetime) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM industry_hourrollup WHERE hour = %s AND tag_id IN "
                       "(SELECT id FROM industry_tag WHERE line_id = %s)", [adapt(hour), line_id])
        cursor.execute(
            "INSERT INTO industry_hourrollup (tag_id, hour, n, total, low, high) "
            "SELECT m.tag_id, %s, SUM(m.n), SUM(m.total), MIN(m.low), MAX(m.high) "
            "FROM industry_minuterollup m JOIN industry_tag t ON t.id = m.tag_id "
            "WHERE t.line_id = %s AND m.minute >= %s AND m.minute < %s GROUP BY m.tag_id",
            [adapt(hour), line_id, adapt(hour), adapt(hour + HOUR)])


@dataclass
class Split:
    """A period cut into the hours read from hour rollups and the ranges read from minute rollups."""

    hours: tuple[datetime, datetime] | None
    skip: list[datetime]  # marked hours inside `hours`
    minutes: list[tuple[datetime, datetime]]

    def minute_q(self) -> Q | None:
        """The minute ranges as one filter, None when the hour rollups cover the whole period."""
        q = None
        for start, end in self.minutes:
            part = Q(minute__gte=start, minute__lt=end)
            q = part if q is None else q | part
        return q


def split(line: ProductionLine, since: datetime, until: datetime, now: datetime | None = None) -> Split:
    first, last = _ceil_hour(since), hour_of(min(until, now or timezone.now()))
    if first >= last:
        return Split(None, [], [(since, until)])
    marked = sorted(PendingHour.objects.filter(line=line, hour__gte=first, hour__lt=last)
                    .values_list("hour", flat=True)[:MAX_PENDING + 1])
    if len(marked) > MAX_PENDING:
        return Split(None, [], [(since, until)])
    ranges = [(since, first), *((hour, hour + HOUR) for hour in marked), (last, until)]
    return Split((first, last), marked, [(a, b) for a, b in ranges if a < b])


def span(line: ProductionLine, tags: QuerySet[Tag], since: datetime, until: datetime) -> tuple[float | None, ...]:
    """The lowest and highest value of `tags` (of `line`) in [since, until): what a counter advanced by."""
    parts = split(line, since, until)
    lows, highs = [], []
    if (minute_q := parts.minute_q()) is not None:
        minutes = MinuteRollup.objects.filter(minute_q, tag__in=tags).aggregate(low=Min("low"), high=Max("high"))
        lows.append(minutes["low"])
        highs.append(minutes["high"])
    if parts.hours:
        hours = (HourRollup.objects.filter(tag__in=tags, hour__gte=parts.hours[0], hour__lt=parts.hours[1])
                 .exclude(hour__in=parts.skip).aggregate(low=Min("low"), high=Max("high")))
        lows.append(hours["low"])
        highs.append(hours["high"])
    lows, highs = [v for v in lows if v is not None], [v for v in highs if v is not None]
    return (min(lows) if lows else None), (max(highs) if highs else None)


def hourly_spans(line: ProductionLine, tags: QuerySet[Tag], since: datetime,
                 until: datetime) -> dict[datetime, tuple[float, float]]:
    """Each hour's lowest and highest value of `tags` in [since, until), read as span() reads them (hour rollups,
    minute rollups where an hour is not summed yet) in two queries for the whole period: span() of a sub-period
    that starts and ends on whole hours is the lowest low and highest high of its hours here."""
    parts = split(line, since, until)
    spans: dict[datetime, tuple[float, float]] = {}

    def add(hour: datetime, low: float | None, high: float | None) -> None:
        if low is None or high is None:
            return
        known = spans.get(hour)
        spans[hour] = (low, high) if known is None else (min(known[0], low), max(known[1], high))

    if parts.hours:
        for hour, low, high in (HourRollup.objects.filter(tag__in=tags, hour__gte=parts.hours[0],
                                                          hour__lt=parts.hours[1]).exclude(hour__in=parts.skip)
                                .values("hour").annotate(low=Min("low"), high=Max("high")).order_by()
                                .values_list("hour", "low", "high")):
            add(hour, low, high)
    if (minute_q := parts.minute_q()) is not None:
        for minute, low, high in MinuteRollup.objects.filter(minute_q, tag__in=tags).values_list(
                "minute", "low", "high"):
            add(hour_of(minute), low, high)
    return spans


def hourly(tag: Tag, since: datetime, until: datetime) -> list[HourPoint]:
    """A tag's hourly mean, low and high in [since, until): {hour, n, total, low, high} in time order."""
    parts = split(tag.line, since, until)
    points: dict[datetime, HourPoint] = {}
    if parts.hours:
        for row in (HourRollup.objects.filter(tag=tag, hour__gte=parts.hours[0], hour__lt=parts.hours[1])
                    .exclude(hour__in=parts.skip).values("hour", "n", "total", "low", "high")):
            points[row["hour"]] = row
    minute_q = parts.minute_q()
    minutes = MinuteRollup.objects.filter(minute_q, tag=tag) if minute_q is not None else MinuteRollup.objects.none()
    for minute, n, total, low, high in minutes.values_list("minute", "n", "total", "low", "high"):
        point = points.setdefault(hour_of(minute), {"hour": hour_of(minute), "n": 0, "total": 0.0,
                                                    "low": None, "high": None})
        point["n"] += n
        point["total"] += total
        point["low"] = low if point["low"] is None or (low is not None and low < point["low"]) else point["low"]
        point["high"] = high if point["high"] is None or (high is not None and high > point["high"]) else point["high"]
    return [points[hour] for hour in sorted(points)]


def mean(point: HourPoint) -> float | None:
    return point["total"] / point["n"] if point["n"] else None

