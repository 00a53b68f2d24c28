"""The lab's models, moved from `industry` (its 0002_lab made the tables). State only: the tables keep
their names (`db_table = "industry_..."`), so nothing in the database moves and every row keeps its id.
`industry.0003_lab_moved_to_lab` removes the models from industry's state; `0002_move_from_industry`
moves their content types and rewrites role patterns."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('industry', '0002_lab'),
        ('org', '0004_alter_unit_kind'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='LabChain',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('head', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                        ('length', models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'industry_labchain',
                    },
                ),
                migrations.CreateModel(
                    name='LabOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('heat', models.CharField(max_length=40, verbose_name='heat number')),
                        ('grade', models.CharField(max_length=20, verbose_name='steel grade')),
                        ('diameter', models.PositiveSmallIntegerField(verbose_name='nominal diameter (mm)')),
                        ('sampled_at', models.DateTimeField(verbose_name='sampled')),
                        ('sampled_where', models.CharField(blank=True, max_length=100, verbose_name='sampling place')),
                        ('verdict', models.CharField(choices=[('pending', 'Pending'), ('pass', 'Pass'), ('fail', 'Fail'), ('retest', 'Retest')], default='pending', max_length=8, verbose_name='verdict')),
                        ('verdict_rule', models.CharField(blank=True, max_length=300, verbose_name='deciding rule')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                        ('certificate_token', models.CharField(blank=True, editable=False, max_length=32)),
                        ('enterprise', models.ForeignKey(limit_choices_to={'kind': 'enterprise'}, on_delete=django.db.models.deletion.PROTECT, related_name='lab_orders', to='org.unit', verbose_name='enterprise')),
                    ],
                    options={
                        'verbose_name': 'lab order',
                        'verbose_name_plural': 'lab orders',
                        'db_table': 'industry_laborder',
                        'ordering': ['-sampled_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Specimen',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('tensile', 'Tensile'), ('bend', 'Bend'), ('rebend', 'Re-bend'), ('weight', 'Weight deviation')], max_length=8, verbose_name='test')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='specimen number')),
                        ('retest', models.BooleanField(default=False, verbose_name='retest')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='specimens', to='lab.laborder', verbose_name='lab order')),
                    ],
                    options={
                        'verbose_name': 'specimen',
                        'verbose_name_plural': 'specimens',
                        'db_table': 'industry_specimen',
                        'ordering': ['order', 'kind', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='Standard',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40, verbose_name='standard')),
                        ('version', models.CharField(max_length=20, verbose_name='version')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('effective_on', models.DateField(verbose_name='effective from')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'standard',
                        'verbose_name_plural': 'standards',
                        'db_table': 'industry_standard',
                        'ordering': ['code', '-effective_on'],
                        'constraints': [models.UniqueConstraint(fields=('code', 'version'), name='standard_version_unique')],
                    },
                ),
                migrations.AddField(
                    model_name='laborder',
                    name='standard',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lab.standard', verbose_name='standard'),
                ),
                migrations.CreateModel(
                    name='GradeLimit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('grade', models.CharField(max_length=20, verbose_name='steel grade')),
                        ('yield_min', models.DecimalField(decimal_places=1, max_digits=6, verbose_name='ReL min (MPa)')),
                        ('tensile_min', models.DecimalField(decimal_places=1, max_digits=6, verbose_name='Rm min (MPa)')),
                        ('elongation_min', models.DecimalField(blank=True, decimal_places=1, max_digits=4, null=True, verbose_name='A min (%)')),
                        ('agt_min', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='Agt min (%)')),
                        ('tensile_yield_ratio_min', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True, verbose_name='Rm/ReL min')),
                        ('yield_overstrength_max', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True, verbose_name='ReL/ReL,min max')),
                        ('bend_mandrels', models.JSONField(verbose_name='bend mandrel (× d) by diameter')),
                        ('rebend', models.BooleanField(default=False, verbose_name='re-bend test required')),
                        ('weight_tolerances', models.JSONField(verbose_name='weight tolerance (%) by diameter')),
                        ('standard', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grades', to='lab.standard', verbose_name='standard')),
                    ],
                    options={
                        'verbose_name': 'grade limits',
                        'verbose_name_plural': 'grade limits',
                        'db_table': 'industry_gradelimit',
                        'ordering': ['standard', 'grade'],
                    },
                ),
                migrations.CreateModel(
                    name='TestResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('revision', models.PositiveSmallIntegerField(default=1, verbose_name='revision')),
                        ('yield_strength', models.DecimalField(decimal_places=1, max_digits=6, null=True, verbose_name='ReL/Rp0.2 (MPa)')),
                        ('tensile_strength', models.DecimalField(decimal_places=1, max_digits=6, null=True, verbose_name='Rm (MPa)')),
                        ('elongation', models.DecimalField(decimal_places=1, max_digits=4, null=True, verbose_name='A (%)')),
                        ('agt', models.DecimalField(decimal_places=1, max_digits=4, null=True, verbose_name='Agt (%)')),
                        ('passed_bend', models.BooleanField(null=True, verbose_name='no cracks')),
                        ('weight_deviation', models.DecimalField(decimal_places=2, max_digits=5, null=True, verbose_name='weight deviation (%)')),
                        ('source', models.CharField(max_length=12, verbose_name='source')),
                        ('instrument', models.CharField(blank=True, max_length=60, verbose_name='instrument')),
                        ('reason', models.CharField(blank=True, max_length=300, verbose_name='reason')),
                        ('recorded_at', models.DateTimeField(verbose_name='recorded')),
                        ('verdict', models.CharField(choices=[('pending', 'Pending'), ('pass', 'Pass'), ('fail', 'Fail'), ('retest', 'Retest')], max_length=8, verbose_name='verdict')),
                        ('verdict_rule', models.CharField(max_length=300, verbose_name='deciding rule')),
                        ('previous_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64, unique=True)),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('specimen', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='results', to='lab.specimen', verbose_name='specimen')),
                    ],
                    options={
                        'verbose_name': 'test result',
                        'verbose_name_plural': 'test results',
                        'db_table': 'industry_testresult',
                        'ordering': ['specimen', 'revision'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='specimen',
                    constraint=models.UniqueConstraint(fields=('order', 'kind', 'number'), name='specimen_number'),
                ),
                migrations.AddIndex(
                    model_name='laborder',
                    index=models.Index(fields=['grade', 'sampled_at'], name='industry_la_grade_b15ccf_idx'),
                ),
                migrations.AddConstraint(
                    model_name='laborder',
                    constraint=models.UniqueConstraint(fields=('enterprise', 'heat'), name='lab_order_per_heat'),
                ),
                migrations.AddConstraint(
                    model_name='gradelimit',
                    constraint=models.UniqueConstraint(fields=('standard', 'grade'), name='grade_per_standard'),
                ),
                migrations.AddConstraint(
                    model_name='testresult',
                    constraint=models.UniqueConstraint(fields=('specimen', 'revision'), name='result_revision'),
                ),
            ],
        ),
    ]
