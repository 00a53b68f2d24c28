"""A database from before migration 0006 (samples and minute rollups with an `id`) migrates forward without
losing a sample: on PostgreSQL into day- and week-partitioned tables, on SQLite into the rebuilt tables; the
(tag, ts) key then still makes a redelivery a no-op. Runs on whichever database the suite uses."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from wanghua.core import audit
from wanghua.org.models import Region, RegionKind, RegionLevel, Unit, UnitKind

BEFORE = [("industry", "0005_model_names")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    wanted = dict(targets)
    nodes = [(app, wanted.get(app, name)) for app, name in executor.loader.graph.leaf_nodes()]
    return executor.loader.project_state(nodes).apps


def _partitions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = %s::regclass ORDER BY 1", [table])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_samples_and_rollups_survive_the_move_to_partitioned_tables():
    from wanghua.industry.simulator import install_line

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    region = Region.objects.create(code="P00", name="分区区", level=RegionLevel.DISTRICT, kind=RegionKind.DISTRICT)
    enterprise = Unit.objects.create(code="part-ent", name="分区钢厂", kind=UnitKind.ENTERPRISE, region=region)
    with audit.labelled("industry:install_line"):
        line = install_line(enterprise, "PT-1", "分区线")
    tags = list(line.tags.filter(kind="number").values_list("pk", flat=True))
    start = (timezone.now() - timedelta(days=4)).replace(microsecond=0)
    try:
        old = _migrate(BEFORE)
        OldSample, OldRollup = old.get_model("industry", "Sample"), old.get_model("industry", "MinuteRollup")
        # 4 days × every 10 minutes × every numeric tag: rows in five day partitions (and two weeks, often)
        moments = [start + timedelta(minutes=10 * i) for i in range(4 * 144)]
        OldSample.objects.bulk_create([OldSample(tag_id=t, ts=m, value=i, text="") for i, m in enumerate(moments)
                                       for t in tags])
        OldRollup.objects.bulk_create([OldRollup(tag_id=t, minute=m.replace(second=0), n=1, total=i, low=i, high=i,
                                                 last=i) for i, m in enumerate(moments) for t in tags])
        stored = (OldSample.objects.count(), OldRollup.objects.count())
        _migrate(leaves)
    finally:
        _migrate(leaves)

    from wanghua.industry.models import MinuteRollup, PendingHour, Sample
    from wanghua.industry.telemetry import partitions, rollups
    from wanghua.industry.telemetry.decode import Message
    from wanghua.industry.telemetry.pipeline import Pipeline

    assert stored == (len(moments) * len(tags), len(moments) * len(tags))
    assert (Sample.objects.count(), MinuteRollup.objects.count()) == stored
    assert Sample.objects.filter(tag_id=tags[0], ts=moments[7]).get().value == 7.0  # the key is (tag, ts) now
    if connection.vendor == "postgresql":
        days = {partitions.SAMPLES.name(s) for s in partitions.SAMPLES.starts(start, timezone.now() + partitions.AHEAD)}
        assert set(_partitions("industry_sample")) == days
        assert set(_partitions("industry_minuterollup")) == {
            partitions.MINUTES.name(s) for s in partitions.MINUTES.starts(start, timezone.now() + partitions.AHEAD)}
    # Every hour with minute rollups waits for the job worker's hour rollups, and is read from minutes meanwhile.
    assert PendingHour.objects.filter(line=line).count() == len({rollups.hour_of(m) for m in moments})
    # The new key still makes a redelivery a duplicate, not a second row.
    code = line.tags.get(pk=tags[0]).code
    body = f'{{"ts": "{(moments[-1] + timedelta(minutes=1)).isoformat()}", "values": {{"{code}": 1.5}}}}'.encode()
    pipeline = Pipeline()
    first = pipeline.process([Message(body, "wanghua/v1/part-ent/PT-1/data")])
    again = pipeline.process([Message(body, "wanghua/v1/part-ent/PT-1/data")])
    assert (first.samples, again.duplicates, again.samples) == (1, 1, 0)
    assert Sample.objects.count() == stored[0] + 1
