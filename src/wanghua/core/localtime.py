"""Local days as ranges of moments. A filter on `moment__date` makes the database convert every row's
timestamp (on SQLite, in Python, row by row); a range on the stored value uses the index."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The first moment of `day` in local time (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def within_day(field: str, day: date) -> dict[str, datetime]:
    """Filter arguments for `field` falling on the local `day`."""
    return {f"{field}__gte": day_start(day), f"{field}__lt": day_start(day + timedelta(days=1))}


def up_to_day(field: str, day: date) -> dict[str, datetime]:
    """Filter arguments for `field` falling on the local `day` or before."""
    return {f"{field}__lt": day_start(day + timedelta(days=1))}
