"""Create one DocumentTemplate per kind from the shipped defaults/<kind>.txt."""

from pathlib import Path

from django.db import migrations

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults"

# Frozen here: a migration must not change when kinds.py does later.
TITLES = {
    "acceptance_notice": "受理告知书",
    "rejection_notice": "不予受理告知书",
    "final_refusal_notice": "不再受理告知书",
    "transfer_notice": "转送告知书",
    "assignment_notice": "交办告知书",
    "extension_notice": "延期告知书",
    "handling_opinion": "信访处理意见书",
    "review_opinion": "复查意见书",
    "rereview_opinion": "复核意见书",
    "assignment_sheet": "交办单",
    "conclusion_report": "办结报告",
    "diversion_notice": "导入法定途径告知书",
    "receipt": "登记回执",
}


def create_templates(apps, schema_editor):
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for kind, title in TITLES.items():
        body = (DEFAULTS / f"{kind}.txt").read_text(encoding="utf-8")
        DocumentTemplate.objects.get_or_create(kind=kind, defaults={"title": title, "body": body})


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
