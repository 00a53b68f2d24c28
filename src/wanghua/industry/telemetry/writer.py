"""Batched sample writes: COPY on PostgreSQL, a multi-row insert on SQLite; the (tag, ts) key makes a
redelivered sample a no-op. Minute rollups are merged, and the hours they touched marked for the job worker's
hour rollups, in the same transaction. On PostgreSQL a missing partition is created first (partitions.py).

The batch is written batch-wise, not sample by sample: on PostgreSQL the rows of a binary COPY are packed as the
samples are taken (each reading's time converted once for all its values; one `struct` call per sample costs a third
of formatting it as text, and the server parses no text) and the minute rollups are merged with one statement over
arrays. The COPY is opened before a line's readings are taken (`stream`) and its rows sent in chunks as they are
computed, so the server stores one chunk while this process computes the next: the two cores overlap instead
of taking turns. A query on the connection meanwhile (a new heat, a stop's cause) ends that COPY first: a guard
on every query Django runs while the writer streams (psycopg would wait forever for the COPY's lock, in the same
thread); the next chunk opens another COPY."""

from __future__ import annotations

import struct
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection

from ..models import Tag
from . import partitions
from .rollups import hour_of, mark_pending

COPY_CHUNK = 1000  # COPY rows sent at once while streaming: small enough that the server keeps pace
_COPY_SQL = "COPY industry_sample (tag_id, ts, value, text) FROM STDIN (FORMAT BINARY)"
# PostgreSQL's binary COPY: a signature, then per row its field count and each field as a length and the bytes
# (-1: NULL), then a trailer. bigint and float8 are 8 bytes big-endian, timestamptz microseconds since 2000.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
_TRAILER = b"\xff\xff"
_NUMBER_ROW = struct.Struct(">hiqiqidi").pack  # tag_id, ts, value, text "" (length 0)
_TEXT_ROW = struct.Struct(">hiqiqii").pack  # tag_id, ts, value NULL (length -1), the text's length; its bytes follow
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class SampleWriter:
    """Collects accepted samples and writes them: COPY on PostgreSQL (streamed while the line is taken, after
    `stream`), a multi-row insert with ON CONFLICT DO NOTHING on the (tag, ts) key on SQLite at `flush`."""

    def __init__(self) -> None:
        self.copying = connection.vendor == "postgresql"
        self.rows: list[tuple[int, str | None, float | None, str]] = []  # SQLite, the time as stored
        self.lines: list[bytes] = []  # PostgreSQL: binary COPY rows, one per sample
        self.count = 0
        # minute → tag id → the minute's values in time order: summed up at `flush` (by C builtins, not per sample)
        self.rollups: dict[datetime, dict[int, list[float]]] = {}
        self.hours: set[tuple[int, datetime]] = set()  # (line id, hour) whose minute rollups change
        self._open: ExitStack | None = None  # the open COPY's cursor and copy, while one is open
        self._copy: Any = None  # psycopg.Copy, while one is open
        self._guarded: ExitStack | None = None  # the query guard, while streaming

    def stream(self, first: datetime, last: datetime) -> None:
        """Before the first `add`: partitions for the samples `first`…`last` may hold, and the guard that lets a
        query end the open COPY. PostgreSQL only (SQLite writes at `flush`)."""
        if not self.copying:
            return
        partitions.ensure_span(partitions.SAMPLES, first, last)
        partitions.ensure_span(partitions.MINUTES, first, last)
        self._guarded = ExitStack()
        self._guarded.enter_context(connection.execute_wrapper(self._query_guard))

    def _query_guard(self, execute, sql, params, many, context):
        self.pause()
        return execute(sql, params, many, context)

    def _unguard(self) -> None:
        guarded, self._guarded = self._guarded, None
        if guarded is not None:
            guarded.close()

    def pause(self) -> None:
        """End the open COPY, with what is computed sent, so the connection can take a query. (Without an open
        COPY the lines wait for the next chunk or `flush`.)"""
        if self._open is not None:
            self._finish()

    def _finish(self) -> None:
        self._send()
        if self._copy is not None:
            with connection.wrap_database_errors:
                self._copy.write(_TRAILER)
        opened, self._open, self._copy = self._open, None, None
        if opened is not None:
            with connection.wrap_database_errors:  # the server's answer to the whole COPY: as Django's errors
                opened.close()

    def abort(self, error: BaseException) -> None:
        """The line failed while a COPY was open: end it as failed (its rows go with the savepoint)."""
        self.lines = []
        self._unguard()
        partitions.forget()  # as after a failed flush (a partition it trusted may be gone): look again on the retry
        if self._open is None:
            return
        opened, self._open, self._copy = self._open, None, None
        with connection.wrap_database_errors:
            opened.__exit__(type(error), error, error.__traceback__)

    def _send(self) -> None:
        """Straight into the table: the line lock and the watermark check make a conflict impossible here, and the
        (tag, ts) key would still refuse one (the line would then be taken again message by message)."""
        if not self.lines:
            return
        assert self._guarded is not None, "stream() first: a query during an unguarded COPY would wait forever"
        with connection.wrap_database_errors:
            if self._copy is None:
                self._open = ExitStack()
                cursor = self._open.enter_context(connection.cursor())
                self._copy = self._open.enter_context(cursor.cursor.copy(_COPY_SQL))
                self._copy.write(_SIGNATURE)
            self._copy.write(b"".join(self.lines))
        self.lines = []

    def add(self, ts: datetime, accepted: list[tuple[Tag, float | None, str]]) -> None:
        minute = ts.replace(second=0, microsecond=0)
        rollups = self.rollups.get(minute)
        if rollups is None:
            rollups = self.rollups[minute] = {}
        self.hours.add((accepted[0][0].line_id, hour_of(ts)))
        self.count += len(accepted)
        copying, lines, rows = self.copying, self.lines, self.rows
        # The reading's time converted once for all its values: COPY's microseconds, or SQLite's stored form.
        micros = (ts - _PG_EPOCH) // _MICROSECOND if copying else 0
        stored = None if copying else connection.ops.adapt_datetimefield_value(ts)
        for tag, value, text in accepted:  # one pass: the COPY row (or SQLite's) and the minute's rollup
            tag_id = tag.id
            if copying:
                if value is not None:
                    lines.append(_NUMBER_ROW(4, 8, tag_id, 8, micros, 8, value, 0))
                else:
                    encoded = text.encode()
                    lines.append(_TEXT_ROW(4, 8, tag_id, 8, micros, -1, len(encoded)) + encoded)
            else:
                rows.append((tag_id, stored, value, text))
            if value is None:
                continue
            values = rollups.get(tag_id)
            if values is None:
                rollups[tag_id] = [value]
            else:
                values.append(value)
        if len(lines) >= COPY_CHUNK:
            self._send()

    def flush(self) -> int:
        try:
            if not self.count:
                return 0
            self._write()
        except Exception:
            partitions.forget()  # a partition this process thought it had may be gone: look again on the retry
            raise
        finally:
            self._unguard()
        _merge_rollups(self.rollups)
        mark_pending(self.hours)
        return self.count

    def _write(self) -> None:
        if self.copying:
            self._finish()
        else:
            _insert_samples(self.rows)


def _insert_samples(rows: list[tuple[int, str | None, float | None, str]]) -> None:
    """SQLite: the rows with their times already in the stored form (SampleWriter.add)."""
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO industry_sample (tag_id, ts, value, text) VALUES (%s, %s, %s, %s) "
                           "ON CONFLICT DO NOTHING", rows)


_UPSERT = ("ON CONFLICT (tag_id, minute) DO UPDATE SET "
           "n = industry_minuterollup.n + excluded.n, total = industry_minuterollup.total + excluded.total, "
           "low = {lesser}(industry_minuterollup.low, excluded.low), "
           "high = {greater}(industry_minuterollup.high, excluded.high), last = excluded.last")


def _merge_rollups(by_minute: dict[datetime, dict[int, list[float]]]) -> None:
    """Each (tag, minute)'s count, sum, low, high and last value added to what is stored."""
    rollups = {(tag_id, minute): (len(values), sum(values), min(values), max(values), values[-1])
               for minute, by_tag in by_minute.items() for tag_id, values in by_tag.items()}
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
