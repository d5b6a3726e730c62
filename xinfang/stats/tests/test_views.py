"""Dashboards, downloads, access, reports and the early-warning centre."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.alerts import actions
from xinfang.alerts.models import Alert, AlertKind, AlertNotice, AlertStatus
from xinfang.petitions import actions as a
from xinfang.stats import reports, rollup
from xinfang.testing import PASSWORD, advance, make_petition

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def data(world):
    p1 = advance(make_petition(world), world, to="issued")
    a.petition_evaluate(petition=p1, stage="handling", rating="satisfied")
    advance(
        make_petition(world, title="幸福路路灯不亮", content="幸福路路灯坏了三个月"), world, to="handling"
    )
    make_petition(world, channel="letter")
    rollup.rebuild()
    return world


def test_bureau_leader_sees_district_dashboard_with_rates_and_freshness(client, data):
    response = _login(client, data.bureau_leader).get(reverse("stats:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "全区信访统计" in html and "数据更新于" in html
    assert "按期办结率" in html and "（满意 + 基本满意）件数 ÷ 已评价件数" in html
    assert "新海街道" in html  # league table and the town map


def test_unit_sees_only_its_own_dashboard(client, data):
    _login(client, data.handler_a)
    assert client.get(reverse("stats:home")).url == reverse("stats:unit", args=[data.town_a.pk])
    assert client.get(reverse("stats:unit", args=[data.town_a.pk])).status_code == 200
    assert client.get(reverse("stats:unit", args=[data.community_a.pk])).status_code == 200
    assert client.get(reverse("stats:unit", args=[data.town_b.pk])).status_code == 404
    assert (
        client.get(
            reverse("stats:export", args=["by_channel", "csv"]) + f"?unit={data.town_b.pk}"
        ).status_code
        == 404
    )
    assert client.get(reverse("stats:monthly_pick")).status_code == 404


def test_csv_and_excel_downloads(client, data):
    _login(client, data.bureau_leader)
    csv_body = client.get(reverse("stats:export", args=["by_channel", "csv"])).content.decode("utf-8-sig")
    lines = csv_body.strip().splitlines()
    assert lines[0] == "分组,件数"
    assert "来访,2" in lines and "来信,1" in lines
    xlsx = client.get(reverse("stats:export", args=["rates", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["按期办结率"][1] == "100.0%"
    assert rows["满意率"][1] == "100.0%"


def test_annual_report_content_and_files(client, data):
    year = timezone.localdate().year
    report = reports.annual_report(year)
    text = " ".join(p for s in report["sections"] for p in s["paragraphs"])
    assert "本期共收到信访事项3件" in text and "办结1件" in text
    assert "转送信访事项2件" in text
    assert "城乡建设" not in text or "件）" in text
    assert report["sections"][0]["heading"].startswith("一、")
    _login(client, data.bureau_leader)
    pdf = client.get(reverse("stats:report", args=["annual", "pdf"]) + f"?year={year}")
    assert pdf.content[:4] == b"%PDF"
    docx = client.get(reverse("stats:report", args=["monthly", "docx"]))
    from docx import Document

    body = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "信访工作月报" in body and "本期共收到信访事项3件" in body


def test_monthly_report_respondents(data):
    from xinfang.petitions.models import Petition

    Petition.objects.update(respondent_unit=data.housing)
    report = reports.monthly_report(timezone.localdate())
    fields = report["sections"][1]
    assert "区住房和城乡建设局（3件）" in fields["paragraphs"][1]


def test_alert_acknowledge_and_assign_write_timeline_and_notices(client, world):
    p = make_petition(world)
    alert = Alert.objects.create(
        kind=AlertKind.SKIP_LEVEL, title="越级访测试", dedupe_key="t:1", unit=world.town_a, petition=p
    )
    _login(client, world.bureau_leader)
    assert client.get(reverse("alerts:list")).status_code == 200
    assert client.get(reverse("alerts:detail", args=[alert.pk])).status_code == 200
    client.post(reverse("alerts:action", args=[alert.pk, "acknowledge"]), {"note": "已知悉"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == world.bureau_leader
    client.post(reverse("alerts:action", args=[alert.pk, "assign"]), {"assignee": world.handler_a.pk})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ASSIGNED and alert.assigned_to == world.handler_a
    assert list(p.events.filter(action="mechanism").values_list("data__alert_action", flat=True)) == [
        "acknowledge",
        "assign",
    ]
    assert AlertNotice.objects.filter(alert=alert, user=world.handler_a).exists()
    client.logout()
    _login(client, world.handler_a)
    assert "越级访测试" in client.get(reverse("alerts:notices")).content.decode()
    assert client.post(reverse("alerts:action", args=[alert.pk, "close"])).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ASSIGNED  # a handler may not close


def test_unit_sees_only_its_alerts(client, world):
    mine = Alert.objects.create(kind=AlertKind.SURGE, title="甲", dedupe_key="t:a", unit=world.town_a)
    other = Alert.objects.create(kind=AlertKind.SURGE, title="乙", dedupe_key="t:b", unit=world.town_b)
    _login(client, world.leader_a)
    assert client.get(reverse("alerts:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("alerts:detail", args=[other.pk])).status_code == 404
    actions.alert_acknowledge(actor=world.leader_a, alert=mine)
    with pytest.raises(actions.Forbidden):
        actions.alert_acknowledge(actor=world.leader_a, alert=other)


def test_rollup_incremental_matches_rebuild(world):
    rollup.rebuild()
    p = advance(make_petition(world, received_at=timezone.now() - timedelta(days=3)), world, to="issued")
    assert rollup.refresh() > 0
    incremental = sorted(rollup.DailyStat.objects.values_list("date", "unit_id", "received", "concluded"))
    rollup.rebuild()
    assert (
        sorted(rollup.DailyStat.objects.values_list("date", "unit_id", "received", "concluded"))
        == incremental
    )
    assert p.pk
