"""Batched sample writes: COPY on PostgreSQL, a multi-row insert on SQLite; the (tag, ts) key makes a
redelivered sample a no-op. Minute rollups are merged, and the hours they touched marked for the job worker's
hour rollups, in the same transaction. On PostgreSQL a missing partition is created first (partitions.py).

The batch is written batch-wise, not sample by sample: on PostgreSQL the COPY text is built as the samples are
taken (each reading's time formatted once for all its values) and sent in one write, and the minute rollups are
merged with one statement over arrays."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from ..models import Tag
from . import partitions
from .rollups import hour_of, mark_pending

# COPY's text format: a backslash, tab, newline or carriage return in a text value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class SampleWriter:
    """Collects accepted samples and writes them at the end of the batch: COPY on PostgreSQL, a
    multi-row insert on SQLite; both with ON CONFLICT DO NOTHING on the (tag, ts) key."""

    def __init__(self) -> None:
        self.copying = connection.vendor == "postgresql"
        self.rows: list[tuple[int, str | None, float | None, str]] = []  # SQLite, the time as stored
        self.lines: list[str] = []  # PostgreSQL: COPY text, one line per sample
        self.count = 0
        self.rollups: dict[tuple[int, datetime], list[float]] = {}
        self.hours: set[tuple[int, datetime]] = set()  # (line id, hour) whose minute rollups change
        self.first: datetime | None = None
        self.last: datetime | None = None

    def add(self, ts: datetime, accepted: list[tuple[Tag, float | None, str]]) -> None:
        minute = ts.replace(second=0, microsecond=0)
        rollups = self.rollups
        if self.first is None or ts < self.first:
            self.first = ts
        if self.last is None or ts > self.last:
            self.last = ts
        self.hours.add((accepted[0][0].line_id, hour_of(ts)))
        self.count += len(accepted)
        copying, lines, rows = self.copying, self.lines, self.rows
        # The reading's time written once for all its values: COPY text, or SQLite's stored form.
        moment = f"\t{ts.isoformat()}\t" if copying else connection.ops.adapt_datetimefield_value(ts)
        for tag, value, text in accepted:  # one pass: the COPY line (or row) and the minute's rollup
            tag_id = tag.id
            if copying:
                lines.append(f"{tag_id}{moment}{value!r}\t\n" if value is not None else
                             f"{tag_id}{moment}\\N\t{text.translate(_COPY_ESCAPES)}\n")
            else:
                rows.append((tag_id, moment, value, text))
            if value is None:
                continue
            entry = rollups.get((tag_id, minute))
            if entry is None:
                rollups[(tag_id, minute)] = [1, value, value, value, value]
            else:
                entry[0] += 1
                entry[1] += value
                if value < entry[2]:
                    entry[2] = value
                if value > entry[3]:
                    entry[3] = value
                entry[4] = value

    def flush(self) -> int:
        if not self.count:
            return 0
        try:
            if self.copying:
                first, last = self.first, self.last
                assert first is not None and last is not None  # add() sets both with the first row
                partitions.ensure_span(partitions.SAMPLES, first, last)
                partitions.ensure_span(partitions.MINUTES, first, last)
                _copy_samples("".join(self.lines))
            else:
                _insert_samples(self.rows)
        except Exception:
            partitions.forget()  # a partition this process thought it had may be gone: look again on the retry
            raise
        _merge_rollups(self.rollups)
        mark_pending(self.hours)
        return self.count


def _copy_samples(text: str) -> None:
    """Straight into the table, in one write: the line lock and the watermark check make a conflict impossible
    here, and the (tag, ts) key would still refuse one (the batch would then be retried message by message)."""
    with connection.cursor() as cursor, cursor.cursor.copy(
            "COPY industry_sample (tag_id, ts, value, text) FROM STDIN") as copy:
        copy.write(text.encode())


def _insert_samples(rows: list[tuple[int, str | None, float | None, str]]) -> None:
    """SQLite: the rows with their times already in the stored form (SampleWriter.add)."""
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO industry_sample (tag_id, ts, value, text) VALUES (%s, %s, %s, %s) "
                           "ON CONFLICT DO NOTHING", rows)


_UPSERT = ("ON CONFLICT (tag_id, minute) DO UPDATE SET "
           "n = industry_minuterollup.n + excluded.n, total = industry_minuterollup.total + excluded.total, "
           "low = {lesser}(industry_minuterollup.low, excluded.low), "
           "high = {greater}(industry_minuterollup.high, excluded.high), last = excluded.last")


def _merge_rollups(rollups: dict[tuple[int, datetime], list[float]]) -> None:
    if not rollups:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one statement over arrays, not a round trip per minute
            keys, entries = list(rollups), list(rollups.values())
            cursor.execute(
                "INSERT INTO industry_minuterollup (tag_id, minute, n, total, low, high, last) "
                "SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::integer[], %s::float8[], %s::float8[], "
                "%s::float8[], %s::float8[]) " + _UPSERT.format(lesser="LEAST", greater="GREATEST"),
                [[k[0] for k in keys], [k[1] for k in keys], [int(e[0]) for e in entries], [e[1] for e in entries],
                 [e[2] for e in entries], [e[3] for e in entries], [e[4] for e in entries]])
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            "INSERT INTO industry_minuterollup (tag_id, minute, n, total, low, high, last) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) " + _UPSERT.format(lesser="MIN", greater="MAX"),
            [(tag_id, adapt(minute), *entry) for (tag_id, minute), entry in rollups.items()])
