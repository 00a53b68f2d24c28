"""Time partitions of the telemetry tables, and retention behind one interface for both backends.

On PostgreSQL `industry_sample` is partitioned by local day on `ts` and `industry_minuterollup` by local week
(from Monday) on `minute` (migration 0006). Partitions are named after the local date they start on
(`industry_sample_p20261202`). The job worker creates them a week ahead (`create_ahead`); ingest creates a
missing one on demand (`ensure_span`), so a sample never fails for lack of a partition, and there is no
DEFAULT partition (rows there would make every later CREATE … PARTITION OF scan and move them). Retention
(`retire`) drops whole partitions. On SQLite the same calls keep today's single table: `ensure_span` does
nothing and `retire` deletes in chunks. No caller knows which backend it runs on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

AHEAD = timedelta(days=7)  # how far ahead the job worker keeps partitions
CHUNK = 50_000  # rows per DELETE where partitions cannot be dropped (SQLite)
_LOCK = 0x7AB1E  # advisory lock: two workers never create the same partition at once


@dataclass(frozen=True)
class Partitioned:
    table: str
    column: str
    days: int  # 1: daily partitions, 7: weekly (starting on Monday)
    key: tuple[str, str]  # the primary key (tag_id, time column): chunked deletes select by it

    def start_of(self, moment: datetime) -> datetime:
        """The local midnight that begins the partition holding `moment`."""
        day = timezone.localtime(moment).date()
        if self.days == 7:
            day -= timedelta(days=day.weekday())
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())

    def end_of(self, start: datetime) -> datetime:
        return (start + timedelta(days=self.days)).replace(tzinfo=start.tzinfo)

    def name(self, start: datetime) -> str:
        return f"{self.table}_p{start:%Y%m%d}"

    def starts(self, first: datetime, last: datetime) -> list[datetime]:
        """Every partition start from the one holding `first` to the one holding `last`."""
        start, stop, out = self.start_of(first), self.start_of(last), []
        while start <= stop:
            out.append(start)
            start = self.end_of(start)
        return out


SAMPLES = Partitioned("industry_sample", "ts", 1, ("tag_id", "ts"))
MINUTES = Partitioned("industry_minuterollup", "minute", 7, ("tag_id", "minute"))
TABLES = (SAMPLES, MINUTES)

_known: set[str] = set()  # partitions this process has seen committed; forgotten when a write finds one missing


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def existing(spec: Partitioned) -> dict[str, datetime]:
    """The table's partitions by name → start (PostgreSQL; only those named by this module)."""
    if not partitioned():
        return {}
    pattern = re.compile(rf"^{spec.table}_p(\d{{8}})$")
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = %s::regclass", [spec.table])
        names = [row[0] for row in cursor.fetchall()]
    zone = timezone.get_current_timezone()
    return {name: datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=zone)
            for name in names if (match := pattern.match(name))}


def ensure_span(spec: Partitioned, first: datetime, last: datetime) -> int:
    """Make sure partitions hold every moment from `first` to `last`; returns how many were created.
    Costs nothing once this process has seen them (ingest calls it for every batch)."""
    if not partitioned():
        return 0
    wanted = spec.starts(first, last)
    if all(spec.name(start) in _known for start in wanted):
        return 0
    present = existing(spec)
    created = 0
    for start in wanted:
        if spec.name(start) not in present:
            created += _create(spec, start)
    _remember({*present, *(spec.name(start) for start in wanted)})
    return created


def _remember(names: set[str]) -> None:
    """Names become known once their transaction commits: a partition created (or first seen) in one that rolls
    back may be gone, and a process that trusted it would insert into no partition."""
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _known.update(names))
    else:
        _known.update(names)


def ensure(spec: Partitioned, moments: Iterable[datetime]) -> int:
    moments = list(moments)
    return ensure_span(spec, min(moments), max(moments)) if moments else 0


def _create(spec: Partitioned, start: datetime) -> int:
    name = spec.name(start)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        cursor.execute("SELECT to_regclass(%s)", [name])
        made = cursor.fetchone()[0] is None
        if made:  # bounds are timestamps this module formats: no user text reaches the DDL
            cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{spec.table}" '
                           f"FOR VALUES FROM ('{start.isoformat()}') TO ('{spec.end_of(start).isoformat()}')")
    return int(made)


def forget() -> None:
    """A write found a partition missing (dropped, or created in a transaction that rolled back)."""
    _known.clear()


def create_ahead(now: datetime | None = None) -> int:
    """The job worker's part: partitions from today to a week ahead, for every partitioned table."""
    now = now or timezone.now()
    return sum(ensure_span(spec, now, now + AHEAD) for spec in TABLES)


def retention_boundary(spec: Partitioned, cutoff: datetime) -> datetime:
    """Retention works in whole partitions on both backends: what is older than the start of the partition
    holding `cutoff` goes, so rows are kept at least their retention and at most one partition longer."""
    return spec.start_of(cutoff)


def retire(spec: Partitioned, cutoff: datetime) -> int:
    """Remove the rows older than the partition holding `cutoff`; returns how many (PostgreSQL: the planner's
    row estimate of each dropped partition, exact when it was never analysed)."""
    boundary = retention_boundary(spec, cutoff)
    if not partitioned():
        return delete_chunked(spec, boundary)
    removed = 0
    for name, start in sorted(existing(spec).items(), key=lambda item: item[1]):
        if spec.end_of(start) <= boundary:
            removed += drop(name)
    return removed


def drop(name: str) -> int:
    """Drop one partition (a catalogue change: no row is read or vacuumed); returns its row count."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [name])
        rows = cursor.fetchone()[0]
        if rows < 0:  # never analysed: count it (small, or it would have been analysed)
            cursor.execute(f'SELECT count(*) FROM "{name}"')
            rows = cursor.fetchone()[0]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # rows written earlier in this transaction: check now
        cursor.execute(f'DROP TABLE "{name}"')
    _known.discard(name)
    return rows


def delete_chunked(spec: Partitioned, before: datetime, since: datetime | None = None) -> int:
    """DELETE the rows in [since, before) CHUNK at a time, each chunk its own transaction (SQLite's
    retention; on PostgreSQL the benchmark's yardstick for dropping a partition)."""
    adapt = connection.ops.adapt_datetimefield_value
    tag, column = spec.key
    where, params = f"{column} < %s", [adapt(before)]
    if since is not None:
        where, params = f"{column} >= %s AND {where}", [adapt(since), *params]
    # the outer condition repeats the period so that PostgreSQL prunes the DELETE to its partitions too
    sql = (f"DELETE FROM {spec.table} WHERE {where} AND ({tag}, {column}) IN "
           f"(SELECT {tag}, {column} FROM {spec.table} WHERE {where} LIMIT {CHUNK})")
    params = params * 2
    removed = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount
        removed += count
        if count < CHUNK:
            return removed
