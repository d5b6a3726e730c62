"""Documents issued before deliveries were recorded have no Delivery rows: mark them as
already warned, so the first worker pass after the upgrade does not raise one
“未送达” alert per historical document.  Their pages still show them as not
recorded."""

from django.db import migrations
from django.db.models import F


def mark_legacy(apps, schema_editor):
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    IssuedDocument.objects.filter(delivered_at__isnull=True, delivery_warned_at__isnull=True).update(
        delivery_warned_at=F("issued_at")
    )


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_agreement_templates")]

    operations = [migrations.RunPython(mark_legacy, migrations.RunPython.noop)]
