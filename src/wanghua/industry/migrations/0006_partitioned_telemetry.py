"""Telemetry keyed by (tag, time), partitioned by time on PostgreSQL, and hour rollups.

Samples and minute rollups lose their surrogate `id`: (tag, ts) and (tag, minute) — already their unique
idempotency keys — become their primary keys, which PostgreSQL requires to include the partition column.
On PostgreSQL each table is rebuilt as a declaratively partitioned table (samples by day, minute rollups by
week; see telemetry/partitions.py), partitions are made for every day or week holding rows and a week ahead,
and every row is copied (the count is checked before the old table goes). On SQLite the table is rebuilt with
the new key. Plain migration operations are used, not django-postgres-extra: two tables, one partition key
each, and the job worker's few lines of DDL are less to learn than a second migration framework.

The rebuild reads and writes every row once: on a large existing deployment run it in a maintenance window.
Every hour with minute rollups is marked pending so the job worker sums its hour rollups."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

from wanghua.industry.telemetry import partitions

TABLES = {"sample": ("industry_sample", "ts", ["tag_id", "ts", "value", "text"]),
          "minuterollup": ("industry_minuterollup", "minute",
                           ["tag_id", "minute", "n", "total", "low", "high", "last"])}


def _set_aside(schema_editor, table: str) -> str:
    """Rename `table` out of the way, with its indexes (index names are per schema, not per table)."""
    old = f"{table}_old"
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [old])
            for (index,) in cursor.fetchall():
                cursor.execute(f'ALTER INDEX "{index}" RENAME TO "{index[:55]}_old"')
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL", [table])
            for (index,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{index}"')
            cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{old}"')
    return old


def _copy(schema_editor, table: str, old: str, columns: list[str]) -> None:
    """Every row of `old` into `table`, counted on both sides: no sample is lost in the rebuild."""
    names = ", ".join(columns)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{old}"')
        cursor.execute(f'SELECT (SELECT count(*) FROM "{old}"), (SELECT count(*) FROM "{table}")')
        before, after = cursor.fetchone()
        if before != after:
            raise RuntimeError(f"{table}: {before} rows before the rebuild, {after} after")
        cursor.execute(f'DROP TABLE "{old}"' + (" CASCADE" if schema_editor.connection.vendor == "postgresql" else ""))


def _span(schema_editor, old: str, column: str):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'SELECT min("{column}"), max("{column}") FROM "{old}"')
        return cursor.fetchone()


def forward(apps, schema_editor):
    partitions.forget()
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, (table, column, columns) in TABLES.items():
        model = apps.get_model("industry", name)
        old = _set_aside(schema_editor, table)
        if postgres:
            spec = next(s for s in partitions.TABLES if s.table == table)
            sql, params = schema_editor.table_sql(model)
            schema_editor.execute(f'{sql} PARTITION BY RANGE ("{column}")', params or None)
            for index in model._meta.indexes:
                schema_editor.add_index(model, index)
            first, last = _span(schema_editor, old, column)
            now = timezone.now()
            partitions.ensure_span(spec, min(first or now, now), max(last or now, now + partitions.AHEAD))
        else:
            schema_editor.create_model(model)
        _copy(schema_editor, table, old, columns)
    _mark_rolled_hours_pending(schema_editor)
    partitions.forget()


def backward(apps, schema_editor):
    """Back to plain tables with an `id` (the rows keep everything but their old ids)."""
    partitions.forget()
    for name, (table, _column, columns) in TABLES.items():
        old = _set_aside(schema_editor, table)
        schema_editor.create_model(apps.get_model("industry", name))
        _copy(schema_editor, table, old, columns)
    partitions.forget()


def _mark_rolled_hours_pending(schema_editor) -> None:
    hour = ("date_trunc('hour', m.minute)" if schema_editor.connection.vendor == "postgresql"
            else "strftime('%%Y-%%m-%%d %%H:00:00', m.minute)")
    schema_editor.execute(
        f"INSERT INTO industry_pendinghour (line_id, hour, version) SELECT DISTINCT t.line_id, {hour}, 1 "
        "FROM industry_minuterollup m JOIN industry_tag t ON t.id = m.tag_id")


def _keyed(model: str, key: tuple[str, str], constraint: str) -> list:
    return [
        migrations.RemoveConstraint(model_name=model, name=constraint),
        migrations.RemoveField(model_name=model, name="id"),
        migrations.AddField(model_name=model, name="pk", field=models.CompositePrimaryKey(
            *key, blank=True, editable=False, primary_key=True, serialize=False)),
    ]


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ('industry', '0005_model_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='HourRollup',
            fields=[
                ('pk', models.CompositePrimaryKey('tag', 'hour', blank=True, editable=False, primary_key=True,
                                                  serialize=False)),
                ('tag', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                          related_name='+', to='industry.tag', verbose_name='tag')),
                ('hour', models.DateTimeField(verbose_name='hour')),
                ('n', models.PositiveIntegerField(default=0, verbose_name='samples')),
                ('total', models.FloatField(default=0, verbose_name='total')),
                ('low', models.FloatField(null=True, verbose_name='minimum')),
                ('high', models.FloatField(null=True, verbose_name='maximum')),
            ],
            options={
                'verbose_name': 'hour rollup',
                'verbose_name_plural': 'hour rollups',
                'indexes': [models.Index(fields=['hour'], name='industry_ho_hour_2d6e73_idx')],
            },
        ),
        migrations.CreateModel(
            name='PendingHour',
            fields=[
                ('pk', models.CompositePrimaryKey('line', 'hour', blank=True, editable=False, primary_key=True,
                                                  serialize=False)),
                ('line', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                           related_name='+', to='industry.productionline',
                                           verbose_name='production line')),
                ('hour', models.DateTimeField(verbose_name='hour')),
                ('version', models.BigIntegerField(default=1, verbose_name='version')),
            ],
            options={
                'verbose_name': 'pending hour rollup',
                'verbose_name_plural': 'pending hour rollups',
            },
        ),
        # The rebuilds need the models of either side: backward runs with the state before the new keys,
        # forward with the state after them.
        migrations.RunPython(migrations.RunPython.noop, backward),
        migrations.SeparateDatabaseAndState(
            state_operations=[*_keyed("sample", ("tag", "ts"), "sample_key"),
                              *_keyed("minuterollup", ("tag", "minute"), "rollup_key")],
            database_operations=[],
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
