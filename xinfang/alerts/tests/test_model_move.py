"""AlertNotice and ReportUp moved from stats to alerts (alerts.0002): a
database migrated before the move keeps its rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.alerts.models import Alert, AlertNotice, ReportUp

BEFORE = [("alerts", "0001_initial"), ("stats", "0001_initial")]


def _migrate(targets=None):
    """Migrate to `targets` (default: every app's latest) and return that state's apps."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_by_the_alerts_models():
    old = _migrate(BEFORE)
    assert "alertnotice" in old.all_models["stats"] and "alertnotice" not in old.all_models["alerts"]
    alert = old.get_model("alerts", "Alert").objects.create(kind="surge", title="激增", dedupe_key="move-1")
    notice = old.get_model("stats", "AlertNotice").objects.create(alert_id=alert.pk, reason="unit")
    report = old.get_model("stats", "ReportUp").objects.create(
        alert_id=alert.pk, kind="same_level", unit_name="海州区委、区政府"
    )
    new = _migrate()
    assert "alertnotice" not in new.all_models["stats"] and "alertnotice" in new.all_models["alerts"]
    assert list(Alert.objects.get(pk=alert.pk).notices.values_list("pk", flat=True)) == [notice.pk]
    assert AlertNotice.objects.get(pk=notice.pk).reason == "unit"
    assert ReportUp.objects.get(pk=report.pk).unit_name == "海州区委、区政府"
