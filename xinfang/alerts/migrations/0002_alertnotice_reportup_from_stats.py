# AlertNotice and ReportUp, created by stats.0001 as stats_alertnotice and
# stats_reportup, now belong to the alerts app: the state takes them over with
# their tables (db_table) and index names, so no row moves; their content types
# follow so that permissions and admin history stay attached.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("alertnotice", "reportup")


def content_types_to_alerts(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="alerts", model=model).exists():
            ContentType.objects.filter(app_label="stats", model=model).update(app_label="alerts")


def content_types_to_stats(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="stats", model=model).exists():
            ContentType.objects.filter(app_label="alerts", model=model).update(app_label="stats")


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("stats", "0002_alert_models_move_to_alerts"),
        ("units", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AlertNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.CharField(max_length=60)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notices",
                                to="alerts.alert",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="units.unit",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="alert_notices",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "stats_alertnotice",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["user", "read_at"], name="stats_alert_user_id_929f37_idx"),
                            models.Index(fields=["unit", "read_at"], name="stats_alert_unit_id_8df540_idx"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ReportUp",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("same_level", "报告本级党委和政府"), ("upper_bureau", "报告上一级信访部门")],
                                max_length=16,
                            ),
                        ),
                        ("unit_name", models.CharField(max_length=100)),
                        ("reported_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("note", models.TextField(blank=True)),
                        (
                            "alert",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reports_up",
                                to="alerts.alert",
                            ),
                        ),
                        (
                            "reported_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="units.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "stats_reportup",
                        "ordering": ["reported_at"],
                        "unique_together": {("alert", "kind")},
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_alerts, content_types_to_stats),
    ]
