"""Bulk routing, saved views and the Excel export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from xinfang.audit.models import AuditAction, AuditLog
from xinfang.inbox.models import SavedView
from xinfang.petitions.models import Petition
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_bulk_routing_transfers_each_row_and_reports_the_failing_one(world, login):
    good = make_petition(world, title="路面破损", content="幸福路路面坑洼。")
    litigation = make_petition(world, title="不服判决", content="对法院判决不服。", is_litigation=True)
    client = login(world.registrar)
    response = client.post(
        "/inbox/route/",
        {
            "ids": [good.pk, litigation.pk, 999999],
            "unit": world.town_b.pk,
            "query": "view=to_route&sort=received_at",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/inbox/?view=to_route&sort=received_at"
    good.refresh_from_db()
    litigation.refresh_from_db()
    assert (good.status, good.handling_unit) == ("routed", world.town_b)
    assert litigation.status == "registered" and litigation.handling_unit is None
    texts = [str(m) for m in response.context["messages"]]
    assert any(good.case_number in t and "已转送1件" in t for t in texts)
    assert any(litigation.case_number in t and "政法部门" in t for t in texts)
    assert any("#999999" in t and "不存在或无权查看" in t for t in texts)


def test_bulk_routing_is_for_bureau_registrars_and_leaders_only(world, login):
    petition = make_petition(world)
    for persona in ["handler_a", "supervisor", "leader_a"]:
        response = login(getattr(world, persona)).post(
            "/inbox/route/", {"ids": [petition.pk], "unit": world.town_a.pk}
        )
        assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.status == "registered"


def test_bulk_routing_without_unit_or_rows_explains_in_chinese(world, login):
    petition = make_petition(world)
    client = login(world.bureau_leader)
    response = client.post("/inbox/route/", {"ids": [petition.pk], "unit": ""}, follow=True)
    assert "请选择转送单位" in [str(m) for m in response.context["messages"]]
    response = client.post("/inbox/route/", {"unit": world.town_a.pk}, follow=True)
    assert "请勾选要转送的信访事项" in [str(m) for m in response.context["messages"]]


def test_to_route_view_offers_bulk_routing_to_registrars_only(world, login):
    make_petition(world)
    assert login(world.registrar).get("/inbox/?view=to_route").context["routing"] is True
    assert login(world.supervisor).get("/inbox/?view=to_route").context["routing"] is False


def test_saved_views_are_saved_listed_shared_and_deleted_by_owner(cases, world, login):
    client = login(world.handler_a)
    client.post(
        "/inbox/saved/", {"name": "紧急件", "query": "view=handling&flag=urgent&after=xyz", "shared": "on"}
    )
    client.post("/inbox/saved/", {"name": "我的", "query": "view=all&q=停车"})
    mine = SavedView.objects.get(name="紧急件")
    assert mine.query == "view=handling&flag=urgent" and mine.shared and mine.unit == world.town_a
    assert {s.name for s in client.get("/inbox/").context["saved_views"]} == {"紧急件", "我的"}
    # A colleague of the same unit sees the shared one only; another unit sees neither.
    assert {s.name for s in login(world.leader_a).get("/inbox/").context["saved_views"]} == {"紧急件"}
    assert login(world.handler_b).get("/inbox/").context["saved_views"] == []
    # Only the owner deletes.
    assert login(world.leader_a).post(f"/inbox/saved/{mine.pk}/delete/").status_code == 404
    login(world.handler_a).post(f"/inbox/saved/{mine.pk}/delete/")
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_saved_view_needs_a_name(world, login):
    response = login(world.handler_a).post("/inbox/saved/", {"name": " ", "query": "view=all"}, follow=True)
    assert "请填写筛选名称" in [str(m) for m in response.context["messages"]]
    assert not SavedView.objects.exists()


def _sheet(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


def test_export_has_the_filtered_rows_masked_and_is_audited(cases, world, login):
    client = login(world.leader_a)
    rows = _sheet(client.get("/inbox/export.xlsx?view=handling"))
    assert rows[0][0] == "信访件编号"
    assert {r[0] for r in rows[1:]} == {cases.handling_a.case_number, cases.recused_a.case_number}
    exported = " ".join(str(v) for r in rows for v in r if v)
    assert "张*" in exported and "138****5678" in exported
    assert "张三" not in exported and "13812345678" not in exported and "320706198001011236" not in exported
    log = AuditLog.objects.get(action=AuditAction.EXPORT)
    assert log.user == world.leader_a and "view=handling" in log.detail and "2行" in log.detail


def test_export_respects_search_and_limit(cases, world, login, settings):
    client = login(world.registrar)
    rows = _sheet(client.get("/inbox/export.xlsx?view=all&q=停车费"))
    assert [r[0] for r in rows[1:]] == [cases.to_route.case_number]
    settings.EXPORT_MAX_ROWS = 3
    assert len(_sheet(client.get("/inbox/export.xlsx?view=all"))) == 4
    assert Petition.objects.count() == 10
