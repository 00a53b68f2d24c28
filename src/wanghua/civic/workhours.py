"""Working hours: case deadlines count office time only (Monday–Friday, 08:30–12:00 and 13:00–17:30, local
time), as the digital urban management standard's time limits do. Which days are working days follows China's
official calendar (the `holidays` package): public holidays are off, and the weekend days worked in exchange
(调休补班) count as working days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache

import holidays
from django.utils import timezone

SHIFTS = ((time(8, 30), time(12, 0)), (time(13, 0), time(17, 30)))


@cache
def _official_calendar() -> holidays.HolidayBase:
    return holidays.China(language="zh_CN")


def is_working_day(day: date) -> bool:
    return _official_calendar().is_working_day(day)


def _spans(day) -> list[tuple[datetime, datetime]]:
    if not is_working_day(day):
        return []
    zone = timezone.get_current_timezone()
    return [(datetime.combine(day, start, zone), datetime.combine(day, end, zone)) for start, end in SHIFTS]


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment `hours` of office time after `start`."""
    left = timedelta(hours=hours)
    moment = timezone.localtime(start)
    day = moment.date()
    while True:
        for open_at, close_at in _spans(day):
            begin = max(open_at, moment)
            if begin >= close_at:
                continue
            if close_at - begin >= left:
                return begin + left
            left -= close_at - begin
        day += timedelta(days=1)
        moment = datetime.combine(day, time(0, 0), timezone.get_current_timezone())


def working_hours_between(start: datetime, end: datetime) -> float:
    """Office hours elapsed from `start` to `end` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    total, day, last = timedelta(0), timezone.localtime(start).date(), timezone.localtime(end).date()
    while day <= last:
        for open_at, close_at in _spans(day):
            overlap = min(close_at, end) - max(open_at, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 3600
