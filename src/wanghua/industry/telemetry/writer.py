"""Batched sample writes: COPY on PostgreSQL, a multi-row insert on SQLite; the (tag, ts) key makes a
redelivered sample a no-op. Minute rollups are merged, and the hours they touched marked for the job worker's
hour rollups, in the same transaction. On PostgreSQL a missing partition is created first (partitions.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from ..models import Tag
from . import partitions
from .rollups import hour_of, mark_pending


class SampleWriter:
    """Collects accepted samples and writes them at the end of the batch: COPY on PostgreSQL, a
    multi-row insert on SQLite; both with ON CONFLICT DO NOTHING on the (tag, ts) key."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, datetime, float | None, str]] = []
        self.rollups: dict[tuple[int, datetime], list[float]] = {}
        self.hours: set[tuple[int, datetime]] = set()  # (line id, hour) whose minute rollups change
        self.first: datetime | None = None
        self.last: datetime | None = None

    def add(self, ts: datetime, accepted: list[tuple[Tag, float | None, str]]) -> None:
        minute = ts.replace(second=0, microsecond=0)
        rows, rollups = self.rows, self.rollups
        if self.first is None or ts < self.first:
            self.first = ts
        if self.last is None or ts > self.last:
            self.last = ts
        self.hours.add((accepted[0][0].line_id, hour_of(ts)))
        for tag, value, text in accepted:
            rows.append((tag.id, ts, value, text))
            if value is None:
                continue
            entry = rollups.get((tag.id, minute))
            if entry is None:
                rollups[(tag.id, minute)] = [1, value, value, value, value]
            else:
                entry[0] += 1
                entry[1] += value
                if value < entry[2]:
                    entry[2] = value
                if value > entry[3]:
                    entry[3] = value
                entry[4] = value

    def flush(self) -> int:
        if not self.rows:
            return 0
        try:
            if connection.vendor == "postgresql":
                first, last = self.first, self.last
                assert first is not None and last is not None  # add() sets both with the first row
                partitions.ensure_span(partitions.SAMPLES, first, last)
                partitions.ensure_span(partitions.MINUTES, first, last)
                _copy_samples(self.rows)
            else:
                _insert_samples(self.rows)
        except Exception:
            partitions.forget()  # a partition this process thought it had may be gone: look again on the retry
            raise
        _merge_rollups(self.rollups)
        mark_pending(self.hours)
        return len(self.rows)



def _copy_samples(rows) -> None:
    """Straight into the table: the line lock and the watermark check make a conflict impossible here,
    and the (tag, ts) key would still refuse one (the batch would then be retried message by message)."""
    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY industry_sample (tag_id, ts, value, text) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_samples(rows) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO industry_sample (tag_id, ts, value, text) VALUES (%s, %s, %s, %s) "
                           "ON CONFLICT DO NOTHING", [(t, adapt(ts), v, x) for t, ts, v, x in rows])


def _merge_rollups(rollups: dict[tuple[int, datetime], list[float]]) -> None:
    if not rollups:
        return
    lesser, greater = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    adapt = connection.ops.adapt_datetimefield_value
    sql = ("INSERT INTO industry_minuterollup (tag_id, minute, n, total, low, high, last) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tag_id, minute) DO UPDATE SET "
           "n = industry_minuterollup.n + excluded.n, total = industry_minuterollup.total + excluded.total, "
           f"low = {lesser}(industry_minuterollup.low, excluded.low), "
           f"high = {greater}(industry_minuterollup.high, excluded.high), last = excluded.last")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(tag_id, adapt(minute), *entry) for (tag_id, minute), entry in rollups.items()])
