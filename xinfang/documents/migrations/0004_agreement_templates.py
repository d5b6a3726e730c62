"""Templates of the two agreements of Art. 33 (调解协议书, 和解协议书) from defaults/<kind>.txt."""

from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"

# Frozen here: a migration must not change when kinds.py does later.
TITLES = {"mediation_agreement": "调解协议书", "settlement_agreement": "和解协议书"}


def create_templates(apps, schema_editor):
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for kind, title in TITLES.items():
        body = (DEFAULTS / f"{kind}.txt").read_text(encoding="utf-8")
        DocumentTemplate.objects.get_or_create(kind=kind, defaults={"title": title, "body": body})


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_law_b_delivery_procedures")]

    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
