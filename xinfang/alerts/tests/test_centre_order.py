"""The early-warning centre leads with what needs action most."""

from __future__ import annotations

import pytest

from xinfang.alerts.models import Alert, AlertKind, Severity


@pytest.mark.django_db
def test_severe_overdue_warnings_come_before_many_newer_skip_level_notices(world, client):
    overdue = Alert.objects.create(
        kind=AlertKind.OVERDUE,
        severity=Severity.CRITICAL,
        title="海信〔2026〕00001号「办理」期限已超期",
        dedupe_key="o1",
    )
    soon = Alert.objects.create(
        kind=AlertKind.DUE_SOON, severity=Severity.WARNING, title="期限即将到期", dedupe_key="s1"
    )
    for i in range(31):  # newer than both, as in the demo's first page
        Alert.objects.create(
            kind=AlertKind.SKIP_LEVEL, severity=Severity.WARNING, title=f"越级访 {i}", dedupe_key=f"k{i}"
        )
    client.force_login(world.registrar)
    page = client.get("/alerts/").context["page"]
    rows = list(page.object_list)
    assert rows[0] == overdue
    assert rows[1] == soon
    assert {a.kind for a in rows[2:]} == {AlertKind.SKIP_LEVEL}
