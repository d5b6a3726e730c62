"""Templates per bureau (issue 14); the notices to petitioners gain a line with the
bureau's contacts, written into the installation's default rows that still hold
the shipped text."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Frozen here: the line added to the shipped texts of the notices to petitioners.
CONTACT_LINE = (
    "{% if bureau_name %}如有疑问，可以联系{{ bureau_name }}{% if bureau_phone %}，电话：{{ bureau_phone }}"
    "{% endif %}{% if bureau_address %}，地址：{{ bureau_address }}{% endif %}。{% endif %}"
)


def add_contact_line(apps, schema_editor):
    from pathlib import Path

    defaults = Path(__file__).resolve().parent.parent / "defaults"
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for row in DocumentTemplate.objects.filter(bureau__isnull=True):
        path = defaults / f"{row.kind}.txt"
        if not path.exists():
            continue
        shipped = path.read_text(encoding="utf-8")
        if CONTACT_LINE not in shipped:
            continue
        before = shipped.replace(CONTACT_LINE + "\n", "")
        # Only rows nobody edited: an administrator's own text stays as it is.
        if row.body.strip() == before.strip():
            DocumentTemplate.objects.filter(pk=row.pk).update(body=shipped)


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0007_second_release_choices'),
        ('units', '0005_unit_case_prefix'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='documenttemplate',
            name='bureau',
            field=models.ForeignKey(blank=True, help_text='留空为全系统默认模板；选择信访部门则仅用于该部门辖区内单位出具的文书', limit_choices_to={'kind': 'bureau'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='document_templates', to='units.unit', verbose_name='所属信访部门'),
        ),
        migrations.AlterField(
            model_name='documenttemplate',
            name='kind',
            field=models.CharField(choices=[('acceptance_notice', '受理告知书'), ('rejection_notice', '不予受理告知书'), ('final_refusal_notice', '不再受理告知书'), ('transfer_notice', '转送告知书'), ('assignment_notice', '交办告知书'), ('extension_notice', '延期告知书'), ('handling_opinion', '信访处理意见书'), ('review_opinion', '复查意见书'), ('rereview_opinion', '复核意见书'), ('assignment_sheet', '交办单'), ('conclusion_report', '办结报告'), ('diversion_notice', '导入法定途径告知书'), ('receipt', '登记回执'), ('mediation_agreement', '调解协议书'), ('settlement_agreement', '和解协议书')], max_length=32, verbose_name='文书种类'),
        ),
        migrations.AddConstraint(
            model_name='documenttemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('bureau__isnull', True)), fields=('kind',), name='documents_template_default'),
        ),
        migrations.AddConstraint(
            model_name='documenttemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('bureau__isnull', False)), fields=('kind', 'bureau'), name='documents_template_per_bureau', violation_error_message='该信访部门已有这一种类的文书模板'),
        ),
        migrations.RunPython(add_contact_line, migrations.RunPython.noop),
    ]
