"""A local day as a range of moments: Beijing's midnight, not UTC's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from wanghua.core.localtime import day_start, up_to_day, within_day

UTC = ZoneInfo("UTC")


def test_a_local_day_starts_at_beijing_midnight():
    assert day_start(date(2026, 3, 5)).astimezone(UTC) == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def test_within_and_up_to_a_day():
    bounds = within_day("done_at", date(2026, 3, 5))
    assert bounds["done_at__lt"] - bounds["done_at__gte"] == datetime(2026, 3, 6) - datetime(2026, 3, 5)
    assert up_to_day("starts_at", date(2026, 3, 5)) == {"starts_at__lt": bounds["done_at__lt"]}
