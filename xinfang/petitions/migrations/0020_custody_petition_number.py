from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_numbers(apps, schema_editor):
    """Each custody row takes its matter's registration number."""
    Custody = apps.get_model("petitions", "Custody")
    Petition = apps.get_model("petitions", "Petition")
    number = Petition.objects.filter(pk=OuterRef("petition_id")).values("case_number")[:1]
    Custody.objects.update(petition_number=Subquery(number))


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0019_unit_number_indexes"),
        ("units", "0005_unit_case_prefix"),
    ]

    operations = [
        migrations.AddField(
            model_name="custody",
            name="petition_number",
            field=models.CharField(blank=True, default="", max_length=40, verbose_name="信访件编号"),
        ),
        migrations.RunPython(copy_numbers, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="custody",
            index=models.Index(
                fields=["unit", "petition_number"], include=("petition",), name="custody_unit_number"
            ),
        ),
    ]
