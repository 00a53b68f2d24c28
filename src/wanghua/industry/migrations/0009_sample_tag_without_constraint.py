"""Samples keep their tag without a database foreign key on PostgreSQL: the deferred check ran once per sample
when a batch committed (0.5 s for 50,000 samples, half of ingest's time). SQLite keeps its constraint: dropping
it there would rebuild the whole sample table, and SQLite checks a row as it is written, not at commit."""

from django.db import migrations, models
import django.db.models.deletion


def _drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    sample = apps.get_model("industry", "Sample")
    for name in schema_editor._constraint_names(sample, ["tag_id"], foreign_key=True):
        schema_editor.execute(f'ALTER TABLE "industry_sample" DROP CONSTRAINT "{name}"')


def _add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    sample = apps.get_model("industry", "Sample")
    field = sample._meta.get_field("tag")
    schema_editor.execute(schema_editor._create_fk_sql(sample, field, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    dependencies = [("industry", "0008_stop_planned")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="sample", name="tag",
                field=models.ForeignKey(db_constraint=False, db_index=False,
                                        on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                        to="industry.tag", verbose_name="tag"))],
            database_operations=[migrations.RunPython(_drop_constraint, _add_constraint)],
        ),
    ]
