# AlertNotice and ReportUp move to the alerts app (alerts.0002 takes them over):
# only the migration state changes here; the tables keep their names and rows.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AlertNotice"),
                migrations.DeleteModel(name="ReportUp"),
            ],
            database_operations=[],
        ),
    ]
