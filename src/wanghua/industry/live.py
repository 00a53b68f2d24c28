"""What the operator's phone shows: the line's snapshot, key tags with sparklines, current alarms,
last stops — read from what ingest keeps, scoped like every other read."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from .models import AlarmState, LiveSnapshot, MinuteRollup, ProductionLine, Stop, Tag
from .queries import current
from .shifts import Shift, shift_at

SPARKLINE = timedelta(minutes=60)
STALE_AFTER = timedelta(seconds=30)  # no data for this long: the page says so


def generation(line_id: int) -> int:
    """Part of the live fragment's cache key: bumped by `changed`, so a page asking right after an operator's
    action gets the alarm as it now is, not the fragment cached a moment before."""
    return cache.get(f"industry:live-generation:{line_id}", 0)


def changed(line_id: int) -> None:
    cache.set(f"industry:live-generation:{line_id}", time.time_ns(), 3600)


@dataclass
class LiveView:
    line: ProductionLine
    snapshot: LiveSnapshot
    shift: Shift
    stale: bool
    key_tags: list[tuple[Tag, object]]
    current_alarms: list[AlarmState]
    last_stops: list[Stop]


def line_view(user, line: ProductionLine, equipment=None) -> LiveView:
    now = timezone.now()
    snapshot = LiveSnapshot.objects.filter(line=line).first() or LiveSnapshot(line=line)
    tags = Tag.objects.visible_to(user).filter(line=line).select_related("equipment")
    tags = tags.filter(equipment=equipment) if equipment else tags.filter(key=True)
    states = AlarmState.objects.visible_to(user).filter(line=line)
    if equipment:
        states = states.filter(definition__tag__equipment=equipment)
    stops = Stop.objects.visible_to(user).filter(line=line).select_related("location")
    if equipment:
        stops = stops.filter(location=equipment)
    return LiveView(
        line=line, snapshot=snapshot, shift=shift_at(line, now),
        stale=snapshot.updated_at is None or now - snapshot.updated_at > STALE_AFTER,
        key_tags=[(tag, snapshot.values.get(tag.code)) for tag in tags],
        current_alarms=current(states, now), last_stops=list(stops[:5]))


def sparklines(user, line: ProductionLine, equipment=None) -> dict[str, list]:
    """Per shown tag, the last hour's minute means: {code: [[epoch ms, mean], ...]}."""
    tags = Tag.objects.visible_to(user).filter(line=line, kind="number")
    tags = tags.filter(equipment=equipment) if equipment else tags.filter(key=True)
    codes = dict(tags.values_list("pk", "code"))
    since = timezone.now() - SPARKLINE
    series: dict[str, list] = {code: [] for code in codes.values()}
    rows = (MinuteRollup.objects.filter(tag_id__in=codes, minute__gte=since).order_by("minute")
            .values_list("tag_id", "minute", "total", "n"))
    for tag_id, minute, total, n in rows:
        series[codes[tag_id]].append([int(minute.timestamp() * 1000), round(total / n, 3) if n else None])
    return series
