"""Time partitions (PostgreSQL), retention behind one interface (both backends), and hour rollups."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from tests.industry.conftest import simulate
from wanghua.industry import jobs, queries
from wanghua.industry.models import DeadLetter, HourRollup, MinuteRollup, PendingHour, Sample, Tag
from wanghua.industry.retention import prune
from wanghua.industry.telemetry import partitions, rollups

postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions exist on PostgreSQL only")


def _exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        return cursor.fetchone()[0] is not None


def _touched(queryset) -> set[str]:
    """The partitions a query's plan reads."""
    return set(re.findall(r"industry_(?:sample|minuterollup)_p\d{8}", queryset.explain()))


@postgres
def test_a_tags_trend_reads_only_the_partitions_of_its_period(plant):
    now = timezone.now()
    partitions.ensure_span(partitions.SAMPLES, now - timedelta(days=10), now)
    partitions.ensure_span(partitions.MINUTES, now - timedelta(days=21), now)
    tag = plant.line.tags.get(code="speed")
    until = now
    since = until - timedelta(hours=24)
    days = {partitions.SAMPLES.name(s) for s in partitions.SAMPLES.starts(since, until)}
    assert len(partitions.existing(partitions.SAMPLES)) >= 17 and len(days) == 2  # 10 days back + 7 ahead
    assert _touched(Sample.objects.filter(tag=tag, ts__gte=since, ts__lt=until).order_by("ts")) == days
    weeks = {partitions.MINUTES.name(s) for s in partitions.MINUTES.starts(since, until)}
    assert _touched(MinuteRollup.objects.filter(tag=tag, minute__gte=since, minute__lt=until)) == weeks
    # the pipeline's redelivery check (a few seconds) reads one partition
    second = Sample.objects.filter(tag_id__in=[tag.pk], ts__gte=since, ts__lte=since + timedelta(seconds=5))
    assert _touched(second) == {partitions.SAMPLES.name(partitions.SAMPLES.start_of(since))}


@postgres
def test_ingest_creates_a_missing_partition_instead_of_failing(plant):
    moment = timezone.now() - timedelta(days=3)
    name = partitions.SAMPLES.name(partitions.SAMPLES.start_of(moment))
    partitions.forget()  # an earlier test's partition may have gone with its rolled-back transaction
    partitions.ensure_span(partitions.SAMPLES, moment, moment)
    partitions._known.add(name)  # as a process that saw it committed
    with connection.cursor() as cursor:  # dropped behind this process's back: it still believes it has it
        cursor.execute(f'DROP TABLE "{name}"')
    plant.start = moment.replace(microsecond=0)
    result = plant.send({"ts": plant.at(0), "values": {"speed": 2.5, "status": "running"}})
    assert (result.samples, result.dead_letters) == (2, 0)
    assert _exists(name) and Sample.objects.filter(tag__line=plant.line).count() == 2


class _RolledBack(Exception):
    pass


@postgres
def test_a_partition_made_in_a_transaction_that_rolls_back_is_not_trusted_after_it(db):
    moment = timezone.now() + timedelta(days=400)  # no other test makes this one
    name = partitions.SAMPLES.name(partitions.SAMPLES.start_of(moment))
    with pytest.raises(_RolledBack), transaction.atomic():
        assert partitions.ensure_span(partitions.SAMPLES, moment, moment) == 1
        raise _RolledBack
    assert not _exists(name)
    assert partitions.ensure_span(partitions.SAMPLES, moment, moment) == 1  # made again, not taken as known
    assert _exists(name)


@postgres
def test_the_job_worker_creates_partitions_a_week_ahead(db):
    ahead = timezone.now() + partitions.AHEAD
    name = partitions.SAMPLES.name(partitions.SAMPLES.start_of(ahead))
    if _exists(name):
        partitions.drop(name)
    partitions.forget()
    assert jobs.telemetry_partitions()["partitions"] >= 1
    assert _exists(name)
    assert jobs.telemetry_partitions() == {"partitions": 0}  # nothing left to do


def test_retention_removes_whole_days_on_either_backend(plant):
    now = timezone.now()
    old = now - timedelta(days=settings.TELEMETRY_RAW_DAYS + 2)
    speed = plant.line.tags.get(code="speed")
    partitions.ensure_span(partitions.SAMPLES, old, old)
    partitions.ensure_span(partitions.MINUTES, old, old)
    Sample.objects.bulk_create([Sample(tag=speed, ts=old + timedelta(minutes=i), value=i) for i in range(5)])
    Sample.objects.bulk_create([Sample(tag=speed, ts=now - timedelta(minutes=i), value=i) for i in range(3)])
    removed = prune(now)
    assert removed["samples"] == 5
    assert list(Sample.objects.order_by("ts").values_list("value", flat=True)) == [2.0, 1.0, 0.0]
    if connection.vendor == "postgresql":
        assert not _exists(partitions.SAMPLES.name(partitions.SAMPLES.start_of(old)))
    # the boundary is a partition's start on both backends: a sample that old is refused, not stored
    plant.start = old.replace(microsecond=0)
    refused = plant.send({"ts": plant.at(0), "values": {"speed": 1.0}})
    assert refused.dead_letters == 1 and "older than the sample retention" in DeadLetter.objects.get().reason


def test_hour_rollups_are_summed_by_the_job_and_read_with_the_minutes(plant):
    plant.start = rollups.hour_of(timezone.now()) - timedelta(hours=3)
    plant.pipeline.process(simulate(plant, 2 * 3600, offset=0)[::20])  # every 20 s for two hours
    count = Tag.objects.filter(line=plant.line, role="count")
    since, until = plant.start, timezone.now()
    before = rollups.span(plant.line, count, since, until)
    assert PendingHour.objects.filter(line=plant.line).count() == 2 and not HourRollup.objects.exists()
    assert jobs.hour_rollups() == {"hours": 2}
    assert not PendingHour.objects.exists()
    speed = plant.line.tags.get(code="speed")
    minutes = MinuteRollup.objects.filter(tag=speed).aggregate(n=Sum("n"), total=Sum("total"))
    hours = HourRollup.objects.filter(tag=speed).aggregate(n=Sum("n"), total=Sum("total"))
    assert hours["n"] == minutes["n"] == 360 and hours["total"] == pytest.approx(minutes["total"])
    assert rollups.span(plant.line, count, since, until) == before
    assert [p["n"] for p in rollups.hourly(speed, since, until)] == [180, 180]
    # a late batch into a summed hour marks it again; the readers take that hour from the minutes meanwhile
    late = plant.start + timedelta(seconds=2 * 3600 - 10)
    plant.send({"ts": late.isoformat(), "values": {"speed": 9.5}})
    assert PendingHour.objects.filter(line=plant.line).count() == 1
    assert rollups.hourly(speed, since, until)[-1]["high"] == 9.5
    assert jobs.hour_rollups() == {"hours": 1} and HourRollup.objects.filter(tag=speed).aggregate(
        n=Sum("n"))["n"] == 361
    assert queries.oee(plant.line, since, until).output == int(before[1] - before[0])


def test_a_batch_committed_while_an_hour_is_summed_leaves_it_marked(plant, monkeypatch):
    hour = rollups.hour_of(timezone.now()) - timedelta(hours=2)
    rollups.mark_pending([(plant.line.pk, hour)])
    summed = rollups._sum_hour

    def meanwhile(line_id, at):  # ingest marks the hour again while the job sums it
        summed(line_id, at)
        rollups.mark_pending([(line_id, at)])

    monkeypatch.setattr(rollups, "_sum_hour", meanwhile)
    assert rollups.roll_up() == {"hours": 1}
    assert PendingHour.objects.get(line=plant.line, hour=hour).version == 2  # summed again next run
    monkeypatch.setattr(rollups, "_sum_hour", summed)
    assert rollups.roll_up() == {"hours": 1} and not PendingHour.objects.exists()


@postgres
def test_samples_carry_no_foreign_key_checked_at_commit(plant):
    """A sample's tag is not a database constraint on PostgreSQL (migration 0009): its deferred check ran once
    per sample when a batch committed, half of ingest's time. Partitions made later inherit none either."""
    now = timezone.now()
    partitions.ensure_span(partitions.SAMPLES, now, now + timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                       "conrelid::regclass::text LIKE 'industry_sample%%'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                       "conrelid::regclass::text LIKE 'industry_minuterollup%%'")
        assert cursor.fetchone()[0] > 0  # the rollups (a row per tag and minute) keep theirs
    plant.pipeline.process(simulate(plant, seconds=5))
    assert Sample.objects.filter(tag__line=plant.line).exists()
