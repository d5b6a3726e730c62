from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.supervision import actions
from xinfang.supervision.api import router
from xinfang.supervision.models import NoticeStatus, SupervisionNotice
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def _notice(world, unit=None, **kw):
    return actions.notice_issue(
        actor=world.supervisor,
        unit=unit or world.town_a,
        trigger="perfunctory",
        facts="答复敷衍，未回应信访人诉求",
        **kw,
    )


def test_bureau_list_filters_and_unit_inbox(world, client):
    flagged = _notice(world, flagged=True)
    late = _notice(world, unit=world.housing)
    SupervisionNotice.objects.filter(pk=late.pk).update(reply_due=timezone.localdate() - timedelta(days=2))
    client.force_login(world.supervisor)
    body = client.get("/supervision/", {"flagged": "on"}).content.decode()
    assert flagged.number in body and late.number not in body
    body = client.get("/supervision/", {"overdue": "on"}).content.decode()
    assert late.number in body and flagged.number not in body
    body = client.get("/supervision/", {"unit": world.housing.pk}).content.decode()
    assert late.number in body and flagged.number not in body
    client.force_login(world.handler_a)
    assert client.get("/supervision/").status_code == 404
    body = client.get("/supervision/inbox/").content.decode()
    assert flagged.number in body and late.number not in body
    assert client.get(f"/supervision/{late.pk}/").status_code == 404


def test_unit_replies_on_the_page_and_supervisor_escalates(world, client):
    notice = _notice(world)
    client.force_login(world.leader_a)
    client.post(f"/supervision/{notice.pk}/reply/", {"text": "已重新答复信访人"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED
    client.force_login(world.supervisor)
    client.post(f"/supervision/{notice.pk}/escalate/", {"reason": "整改不到位"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ESCALATED and notice.flagged
    assert "挂牌督办" in client.get(f"/supervision/{notice.pk}/").content.decode()


def test_supervisor_issues_from_the_page_with_a_case_number(world, client):
    petition = advance(make_petition(world), world, to="handling")
    client.force_login(world.supervisor)
    response = client.post(
        "/supervision/new/",
        {
            "unit": world.town_a.pk,
            "trigger": "delay",
            "petition_case_number": petition.case_number,
            "facts": "超期未办结",
        },
    )
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and notice.petition == petition
    client.force_login(world.registrar)
    assert client.get("/supervision/new/").status_code == 404


def test_proposal_pages(world, client):
    proposal = actions.proposal_make(
        actor=world.bureau_leader,
        kind="improve_work",
        unit=world.town_b,
        title="关于规范答复文书的建议",
        text="统一答复文书格式",
    )
    client.force_login(world.handler_b)
    assert "关于规范答复文书的建议" in client.get("/supervision/proposals/").content.decode()
    client.post(
        f"/supervision/proposals/{proposal.pk}/feedback/", {"adoption": "adopted", "feedback": "已采纳并印发"}
    )
    proposal.refresh_from_db()
    assert proposal.adoption == "adopted"
    client.force_login(world.handler_a)
    assert client.get(f"/supervision/proposals/{proposal.pk}/").status_code == 404


def test_api_round_trip(world):
    api = TestClient(router)
    petition = advance(make_petition(world), world, to="handling")
    r = api.post(
        "/notices",
        json={"unit_id": world.town_a.pk, "trigger": "delay", "facts": "超期", "petition_id": petition.pk},
        user=world.supervisor,
    )
    assert r.status_code == 201, r.json()
    nid = r.json()["id"]
    r = api.post(
        "/notices",
        json={"unit_id": world.town_a.pk, "trigger": "delay", "facts": "超期"},
        user=world.registrar,
    )
    assert r.status_code == 403 and r.json()["message"]
    r = api.post(f"/notices/{nid}/reply", json={"text": "已办结"}, user=world.handler_a)
    assert r.json()["status"] == "replied"
    r = api.post(f"/notices/{nid}/reject", json={"reason": "不充分"}, user=world.supervisor)
    assert r.status_code == 400 and "reply_due" in r.json()["fields"]
    r = api.post(f"/notices/{nid}/accept", json={}, user=world.supervisor)
    assert r.json()["status"] == "accepted"
    assert api.get(f"/notices/{nid}", user=world.handler_b).status_code == 404
    r = api.post(
        "/proposals",
        json={
            "kind": "improve_policy",
            "unit_id": world.district.pk,
            "title": "完善政策",
            "text": "建议完善停车收费政策",
            "notice_id": nid,
        },
        user=world.supervisor,
    )
    assert r.status_code == 201 and r.json()["petition_id"] == petition.pk
    pid = r.json()["id"]
    assert (
        api.post(
            f"/proposals/{pid}/feedback",
            json={"adoption": "partly", "feedback": "部分采纳"},
            user=world.handler_a,
        ).status_code
        == 404
    )
    year = timezone.localdate().year
    r = api.get(f"/summary/{year}", user=world.supervisor)
    assert r.json()["supervision"]["issued"] == 1 and r.json()["proposals"]["pending"] == 1
    assert api.get(f"/summary/{year}", user=world.handler_a).status_code == 403
