"""Benchmark: telemetry at plant scale on PostgreSQL, time-partitioned (issue 21), in one run.

(a) ingest throughput (the real pipeline: decode → snapshot → alarms → stops → COPY → rollups) with an empty
    history and with ≥ 50 million samples stored, as a ratio. Goal ≥ 0.9.
(b) retiring one day of samples: dropping its partition against a chunked DELETE of another day. Goal ≥ 100×.
(c) p50 of a 24-hour trend for one tag (minute rollups) and of a line's 30-day OEE (hour + minute rollups),
    with the history stored, single client. Goal ≤ 50 ms each.
(d) daily against weekly partitions of 90 days: p50 planning + execution of a one-tag 24-hour query.

The history — 10 lines × 32 tags, a sample every 16 s for the 31 days before this week's Monday, 53.6 million
samples, their minute and hour rollups — is made with generate_series in SQL and cached in its own database
(WANGHUA_BENCH_PARTS_POSTGRES, default …/wh_bench_parts): a day is regenerated only when missing (the two days
(b) removes). "Empty history" detaches every history partition (CHECK constraints make re-attaching free).

    WANGHUA_DATABASE_URL=postgres://… python bench/telemetry_partitions.py [--ingest-seconds 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

URL = os.environ.get("WANGHUA_DATABASE_URL", "")
if not URL.startswith("postgres"):
    print("  telemetry partitions: PostgreSQL only, skipped")
    sys.exit(0)
PARTS_URL = os.environ.get("WANGHUA_BENCH_PARTS_POSTGRES", URL.rsplit("/", 1)[0] + "/wh_bench_parts")


def _create_database(url: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        name = url.rsplit("/", 1)[1]
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


_create_database(PARTS_URL)
os.environ["WANGHUA_DATABASE_URL"] = PARTS_URL
sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from industry_ingest import setup  # noqa: E402  (migrates, makes the 10 bench lines)

from wanghua.industry import queries  # noqa: E402
from wanghua.industry.models import MinuteRollup, ProductionLine, Sample, Tag  # noqa: E402
from wanghua.industry.simulator import LineSimulator  # noqa: E402
from wanghua.industry.telemetry import partitions  # noqa: E402
from wanghua.industry.telemetry.decode import Message  # noqa: E402
from wanghua.industry.telemetry.pipeline import Pipeline  # noqa: E402

DAYS, PERIOD = 31, 16  # history: days before this week's Monday, seconds between samples of a tag
SAMPLES, MINUTES = partitions.SAMPLES, partitions.MINUTES
CURRENT = ["industry_livesnapshot", "industry_alarmstate", "industry_alarmevent", "industry_stop", "industry_heat",
           "industry_deadletter", "industry_pendinghour"]


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def history_window():
    end = MINUTES.start_of(timezone.now())  # this week's Monday: the week ingest writes into holds no history
    return end - timedelta(days=DAYS), end


def ensure_history(lines) -> int:
    """Generate each missing day of history in SQL; returns the samples stored."""
    sql("CREATE TABLE IF NOT EXISTS bench_parts_manifest (day timestamptz PRIMARY KEY, samples bigint NOT NULL)")
    first, end = history_window()
    sql("DELETE FROM bench_parts_manifest WHERE day < %s OR day >= %s", [first, end])
    have = {row[0] for row in sql("SELECT day FROM bench_parts_manifest")}
    ids = [line.pk for line in lines]
    for day in SAMPLES.starts(first, end - timedelta(seconds=1)):
        if day in have:
            continue
        began = time.perf_counter()
        next_day = SAMPLES.end_of(day)
        with transaction.atomic():
            # generated rows reference the bench tags by construction: no per-row foreign-key trigger
            sql("SET LOCAL session_replication_role = replica")
            partitions.ensure_span(SAMPLES, day, day)
            partitions.ensure_span(MINUTES, day, day)
            name = SAMPLES.name(day)
            sql(f'TRUNCATE "{name}"')
            sql("DELETE FROM industry_minuterollup WHERE minute >= %s AND minute < %s", [day, next_day])
            sql("DELETE FROM industry_hourrollup WHERE hour >= %s AND hour < %s", [day, next_day])
            rows = sql(
                "INSERT INTO industry_sample (tag_id, ts, value, text) SELECT t.id, g, CASE WHEN t.role IN "
                "('count', 'good') THEN floor(extract(epoch FROM g - %s::timestamptz) / 3) "
                "ELSE 100 + 10 * sin(extract(epoch FROM g) / 600 + t.id) END, '' "
                "FROM generate_series(%s::timestamptz, %s::timestamptz - make_interval(secs => %s), "
                "make_interval(secs => %s)) g CROSS JOIN industry_tag t WHERE t.line_id = ANY(%s)",
                [first, day, next_day, PERIOD, PERIOD, ids])
            sql("INSERT INTO industry_minuterollup (tag_id, minute, n, total, low, high, last) "
                "SELECT tag_id, date_trunc('minute', ts), count(*), sum(value), min(value), max(value), max(value) "
                "FROM industry_sample WHERE ts >= %s AND ts < %s GROUP BY 1, 2", [day, next_day])
            # the job worker's sums (telemetry/rollups.py), made in bulk for the generated history
            sql("INSERT INTO industry_hourrollup (tag_id, hour, n, total, low, high) "
                "SELECT tag_id, date_trunc('hour', minute), sum(n), sum(total), min(low), max(high) "
                "FROM industry_minuterollup WHERE minute >= %s AND minute < %s GROUP BY 1, 2", [day, next_day])
            sql(f'ALTER TABLE "{name}" DROP CONSTRAINT IF EXISTS bench_bound')
            sql(f"ALTER TABLE \"{name}\" ADD CONSTRAINT bench_bound CHECK (ts >= '{day.isoformat()}' "
                f"AND ts < '{next_day.isoformat()}')")
            sql("INSERT INTO bench_parts_manifest VALUES (%s, %s)", [day, rows])
        print(f"    generated {day:%Y-%m-%d}: {rows:,} samples in {time.perf_counter() - began:.1f} s", flush=True)
    for week in MINUTES.starts(first, end - timedelta(seconds=1)):
        name, stop = MINUTES.name(week), MINUTES.end_of(week)
        if not sql("SELECT 1 FROM pg_constraint WHERE conname = 'bench_bound' AND conrelid = %s::regclass", [name]):
            sql(f"ALTER TABLE \"{name}\" ADD CONSTRAINT bench_bound CHECK (minute >= '{week.isoformat()}' "
                f"AND minute < '{stop.isoformat()}')")
    sql("ANALYZE")
    return sql("SELECT sum(samples) FROM bench_parts_manifest")[0][0]


def history_partitions() -> list[tuple[str, str, str, str]]:
    """(parent, partition, from, to) of every history partition, attached or not."""
    first, end = history_window()
    out = []
    for spec in (SAMPLES, MINUTES):
        for start in spec.starts(first, end - timedelta(seconds=1)):
            out.append((spec.table, spec.name(start), start.isoformat(), spec.end_of(start).isoformat()))
    return out


def detach_history() -> None:
    for parent, name, _start, _end in history_partitions():
        if sql("SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s)", [name]):
            sql(f'ALTER TABLE "{parent}" DETACH PARTITION "{name}"')
    partitions.forget()


def attach_history() -> None:
    for parent, name, start, end in history_partitions():
        if sql("SELECT to_regclass(%s)", [name])[0][0] and not sql(
                "SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s)", [name]):
            sql(f"ALTER TABLE \"{parent}\" ATTACH PARTITION \"{name}\" FOR VALUES FROM ('{start}') TO ('{end}')")
    partitions.forget()


def clear_current() -> None:
    """This week's telemetry goes before each ingest run: every run writes into empty current partitions."""
    _first, end = history_window()
    for spec in (SAMPLES, MINUTES):
        for name, start in partitions.existing(spec).items():
            if start >= end:
                sql(f'TRUNCATE "{name}"')
    sql("DELETE FROM industry_hourrollup WHERE hour >= %s", [end])
    for table in CURRENT:
        sql(f"DELETE FROM {table}")


def messages_for(lines, seconds: int) -> list[Message]:
    simulators = [LineSimulator(line.code, line.enterprise.code, seed=i) for i, line in enumerate(lines)]
    start = max(timezone.now() - timedelta(hours=1), history_window()[1]) + timedelta(seconds=1)
    return [Message(sim.message(start + timedelta(seconds=s)), sim.topic)
            for s in range(seconds) for sim in simulators]


def ingest_rate(lines, seconds: int) -> float:
    clear_current()
    messages = messages_for(lines, seconds)
    pipeline = Pipeline()
    began, stored = time.perf_counter(), 0
    for i in range(0, len(messages), 2000):
        stored += pipeline.process(messages[i:i + 2000]).samples
    return stored / (time.perf_counter() - began)


def ingest(lines, seconds: int, stored: int) -> None:
    detach_history()
    empty = sql("SELECT count(*) FROM industry_sample")[0][0]
    empty_rates = [ingest_rate(lines, seconds) for _ in range(2)]
    attach_history()
    sql("ANALYZE industry_sample")
    full_rates = [ingest_rate(lines, seconds) for _ in range(2)]
    best_empty, best_full = max(empty_rates), max(full_rates)
    ratio = best_full / best_empty
    print(f"  (a) ingest, pipeline → COPY into partitions, {len(lines)} lines: empty history ({empty:,} samples "
          f"stored) {best_empty:,.0f} samples/s; with {stored:,} samples stored {best_full:,.0f} samples/s; "
          f"ratio {ratio:.2f} ({'ok' if ratio >= 0.9 else 'UNDER GOAL'}: ≥ 0.9) "
          f"[runs: {', '.join(f'{r:,.0f}' for r in empty_rates)} / {', '.join(f'{r:,.0f}' for r in full_rates)}]")


def p50(run, times: int) -> float:
    laps = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        laps.append((time.perf_counter() - began) * 1000)
    return statistics.median(laps)


def reads(lines, stored: int) -> None:
    _first, end = history_window()
    tags = list(Tag.objects.filter(line__in=lines, kind="number"))
    rng = random.Random(7)
    until = end - timedelta(hours=12)
    since = until - timedelta(hours=24)

    def trend():
        tag = rng.choice(tags)
        assert len(list(MinuteRollup.objects.filter(tag=tag, minute__gte=since, minute__lt=until)
                        .order_by("minute").values_list("minute", "total", "n", "low", "high"))) == 1440

    def raw():
        tag = rng.choice(tags)
        list(Sample.objects.filter(tag=tag, ts__gte=since, ts__lt=until).order_by("ts").values_list("ts", "value"))

    def oee():
        value = queries.oee(rng.choice(lines), end - timedelta(days=30), end)
        assert value.reported and value.output > 0

    trend_ms, raw_ms, oee_ms = p50(trend, 60), p50(raw, 30), p50(oee, 30)
    print(f"  (c) with {stored:,} samples stored, single client: 24-h trend of one tag (1,440 minute rollups) p50 "
          f"{trend_ms:.1f} ms ({'ok' if trend_ms <= 50 else 'OVER GOAL'}: ≤ 50 ms); a line's 30-day OEE p50 "
          f"{oee_ms:.1f} ms ({'ok' if oee_ms <= 50 else 'OVER GOAL'}: ≤ 50 ms); for reference the same 24 h as "
          f"raw samples ({86400 // PERIOD:,} rows) p50 {raw_ms:.1f} ms")


def retire() -> None:
    first, _end = history_window()
    dropped_day, deleted_day = first, SAMPLES.end_of(first)
    name = SAMPLES.name(dropped_day)
    began = time.perf_counter()
    dropped = partitions.drop(name)
    drop_seconds = time.perf_counter() - began
    began = time.perf_counter()
    deleted = partitions.delete_chunked(SAMPLES, SAMPLES.end_of(deleted_day), since=deleted_day)
    delete_seconds = time.perf_counter() - began
    sql("DELETE FROM bench_parts_manifest WHERE day IN (%s, %s)", [dropped_day, deleted_day])
    speedup = delete_seconds / drop_seconds
    print(f"  (b) retire one day: DROP of partition {name} ({dropped:,} samples) {drop_seconds * 1000:.1f} ms; "
          f"chunked DELETE of {deleted_day:%Y-%m-%d} ({deleted:,} samples, {partitions.CHUNK:,} a chunk) "
          f"{delete_seconds:.1f} s; {speedup:,.0f}× faster ({'ok' if speedup >= 100 else 'UNDER GOAL'}: ≥ 100×)")


def daily_or_weekly() -> None:
    """The one cost of more partitions: planning. 90 days (+ a week ahead) as 97 daily or 15 weekly
    partitions, one day of rows for 320 tags, the one-tag 24-hour query planned and run each time."""
    now = timezone.now()
    results = {}
    for label, spec in (("daily", SAMPLES), ("weekly", MINUTES)):
        table = f"bench_layout_{label}"
        sql(f"DROP TABLE IF EXISTS {table}")
        sql(f"CREATE TABLE {table} (tag_id bigint NOT NULL, ts timestamptz NOT NULL, value double precision, "
            f"PRIMARY KEY (tag_id, ts)) PARTITION BY RANGE (ts)")
        for start in spec.starts(now - timedelta(days=90), now + partitions.AHEAD):
            sql(f"CREATE TABLE {table}_p{start:%Y%m%d} PARTITION OF {table} FOR VALUES FROM "
                f"('{start.isoformat()}') TO ('{spec.end_of(start).isoformat()}')")
        sql(f"INSERT INTO {table} SELECT t, g, 1 FROM generate_series(1, 320) t, generate_series("
            f"%s::timestamptz, %s::timestamptz, interval '16 s') g", [now - timedelta(days=1), now])
        sql(f"ANALYZE {table}")
        since = now - timedelta(hours=24)
        results[label] = (len(spec.starts(now - timedelta(days=90), now + partitions.AHEAD)), p50(
            lambda table=table, since=since: sql(f"SELECT ts, value FROM {table} WHERE tag_id = %s AND ts >= %s "
                                                 f"AND ts < %s ORDER BY ts", [random.randint(1, 320), since, now]),
            200))
        sql(f"DROP TABLE {table}")
    print("  (d) 90 days of samples as " + "; ".join(f"{n} {label} partitions: one-tag 24-h query p50 {ms:.2f} ms"
                                                      for label, (n, ms) in results.items()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ingest-seconds", type=int, default=2000, help="simulated seconds per ingest run")
    args, _unknown = parser.parse_known_args()
    lines = setup()
    lines = list(ProductionLine.objects.filter(pk__in=[line.pk for line in lines]).select_related("enterprise"))
    print(f"postgresql ({PARTS_URL.rsplit('/', 1)[1]}): {len(lines)} lines × {lines[0].tags.count()} tags")
    attach_history()
    stored = ensure_history(lines)
    ingest(lines, args.ingest_seconds, stored)
    reads(lines, stored)
    retire()
    daily_or_weekly()


if __name__ == "__main__":
    main()
