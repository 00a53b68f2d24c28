"""The shift calendar: three 8-hour shifts a day (夜班 00–08, 白班 08–16, 中班 16–24 from the anchor)
worked by four rotating crews 甲乙丙丁 — each crew works every fourth shift (四班三运转)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

SHIFT = timedelta(hours=8)
SHIFT_NAMES = ("夜班", "白班", "中班")
CREWS = "甲乙丙丁"


@dataclass(frozen=True)
class Shift:
    name: str
    crew: str
    start: datetime
    end: datetime

    def __str__(self) -> str:
        return f"{self.name}（{self.crew}班）"


def shift_at(line, moment: datetime) -> Shift:
    index = int((moment - line.shift_anchor) // SHIFT)
    start = line.shift_anchor + index * SHIFT
    return Shift(SHIFT_NAMES[index % 3], CREWS[index % 4], timezone.localtime(start),
                 timezone.localtime(start + SHIFT))
