
from django.conf import settings
from django.db import migrations, models


def give_open_reports_their_deadline(apps, schema_editor):
    """Cases still waiting for 立案 get the deadline their category gives (counted from their report)."""
    from wanghua.civic.workhours import add_working_hours

    Case = apps.get_model("civic", "Case")
    waiting = Case.objects.filter(status="reported", accept_due_at__isnull=True).select_related("category")
    for case in waiting.iterator(2000):
        case.accept_due_at = add_working_hours(case.reported_at, case.category.accept_hours)
        case.save(update_fields=["accept_due_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('civic', '0011_model_names'),
        ('org', '0005_verbose_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='accept_due_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='deadline to accept (立案期限)'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'accept_due_at'], name='civic_case_status_b213d4_idx'),
        ),
        migrations.RunPython(give_open_reports_their_deadline, migrations.RunPython.noop),
    ]
