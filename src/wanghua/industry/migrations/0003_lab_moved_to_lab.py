"""The lab (智检中心) became its own app `lab`: its models leave industry's state here, after
`lab.0001_initial` has taken them over. State only: the tables (`industry_laborder`, ...) stay, with
their rows; the lab models name them in `db_table`."""

from django.db import migrations

STATE = [
    migrations.RemoveField(model_name='gradelimit', name='standard'),
    migrations.DeleteModel(name='LabChain'),
    migrations.RemoveField(model_name='laborder', name='enterprise'),
    migrations.RemoveField(model_name='laborder', name='standard'),
    migrations.RemoveField(model_name='specimen', name='order'),
    migrations.RemoveField(model_name='testresult', name='specimen'),
    migrations.RemoveField(model_name='testresult', name='recorded_by'),
    migrations.DeleteModel(name='GradeLimit'),
    migrations.DeleteModel(name='Standard'),
    migrations.DeleteModel(name='LabOrder'),
    migrations.DeleteModel(name='Specimen'),
    migrations.DeleteModel(name='TestResult'),
]


class Migration(migrations.Migration):

    dependencies = [
        ('industry', '0002_lab'),
        ('lab', '0001_initial'),
    ]

    operations = [migrations.SeparateDatabaseAndState(database_operations=[], state_operations=STATE)]
