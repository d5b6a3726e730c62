"""The one path of a step on a mechanism page (xinfang.web.steps): the record
is loaded through its access helper, the form is checked, the action runs, and
a refusal comes back as the page with the Chinese message, the field errors
and the action's status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from xinfang.reception import actions as reception
from xinfang.reception.tests.helpers import handling_petition
from xinfang.supervision import actions as supervision
from xinfang.supervision.models import NoticeStatus

pytestmark = pytest.mark.django_db

MECHANISMS = ("reception", "ownership", "hearings", "commitments", "supervision")


def _notice(world, unit=None):
    return supervision.notice_issue(
        actor=world.supervisor, unit=unit or world.town_a, trigger="perfunctory", facts="答复敷衍"
    )


def test_a_step_runs_its_action_and_returns_to_the_page(world, client):
    notice = _notice(world)
    client.force_login(world.leader_a)
    response = client.post(f"/supervision/{notice.pk}/reply/", {"text": "已重新答复信访人"})
    assert response.status_code == 302 and response["Location"] == f"/supervision/{notice.pk}/"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED


def test_a_field_error_from_the_action_shows_on_the_page_with_status_400(world, client):
    notice = _notice(world)
    supervision.notice_reply(actor=world.leader_a, notice=notice, text="已答复")
    client.force_login(world.supervisor)
    response = client.post(f"/supervision/{notice.pk}/reject/", {"reason": "答复不充分", "reply_due": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="errorlist' in body and "答复不充分" in body  # the bound form comes back, errors on it
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.REPLIED


def test_a_refused_step_answers_the_action_status_and_message(world, client):
    notice = _notice(world)
    client.force_login(world.handler_a)
    response = client.post(f"/supervision/{notice.pk}/escalate/", {"reason": "整改不到位"})
    assert response.status_code == 403
    assert "只有督查专员或信访局领导可以执行此操作" in response.content.decode()
    notice.refresh_from_db()
    assert not notice.flagged


def test_an_invalid_form_answers_400_without_calling_the_action(world, client):
    notice = _notice(world)
    client.force_login(world.leader_a)
    response = client.post(f"/supervision/{notice.pk}/reply/", {"text": ""})
    assert response.status_code == 400 and "请检查填写的内容" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_steps_take_post_only_and_the_page_get_only(world, client):
    notice = _notice(world)
    client.force_login(world.supervisor)
    assert client.get(f"/supervision/{notice.pk}/reply/").status_code == 405
    assert client.post(f"/supervision/{notice.pk}/", {"text": "x"}).status_code == 405
    assert client.get(f"/supervision/{notice.pk}/").status_code == 200


def test_a_step_on_a_hidden_record_is_404(world, client):
    notice = _notice(world, unit=world.housing)
    client.force_login(world.handler_a)
    assert client.post(f"/supervision/{notice.pk}/reply/", {"text": "答复"}).status_code == 404
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_a_row_of_another_record_is_404(world, client):
    petition = handling_petition(world)
    today = timezone.localdate()
    first = reception.session_create(actor=world.registrar, date=today)
    other = reception.session_create(actor=world.registrar, date=today)
    visit = reception.visit_register(actor=world.registrar, session=first, petition=petition)
    client.force_login(world.registrar)
    data = {"visit": visit.pk, "outcome": "resolved_on_spot", "note": "当场化解"}
    assert client.post(f"/reception/sessions/{other.pk}/outcome/", data).status_code == 404
    assert client.post(f"/reception/sessions/{first.pk}/outcome/", data).status_code == 302


def test_no_mechanism_page_dispatches_on_a_posted_op():
    root = Path(__file__).resolve().parents[2]
    for app in MECHANISMS:
        for template in (root / "templates" / app).glob("*.html"):
            assert not re.search(r'name="op"', template.read_text(encoding="utf-8")), template
        views = (root / app / "views.py").read_text(encoding="utf-8")
        assert not re.search(r"""POST(\.get\(|\[)["']op["']""", views), app
