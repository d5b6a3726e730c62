"""The mechanism apps' action endpoints (xinfang.api.endpoints) answer like the
core API: same error shape, same statuses, the record loaded through its
access helper."""

from __future__ import annotations

import pytest

from xinfang.supervision import actions as supervision
from xinfang.supervision.models import NoticeStatus

pytestmark = pytest.mark.django_db


def _notice(world, unit=None):
    return supervision.notice_issue(
        actor=world.supervisor, unit=unit or world.town_a, trigger="perfunctory", facts="答复敷衍"
    )


def test_an_action_endpoint_runs_the_action_and_answers_the_record(api, world):
    notice = _notice(world)
    response = api(world.leader_a).post(f"/supervision/notices/{notice.pk}/reply", {"text": "已重新答复"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == NoticeStatus.REPLIED and body["reply_text"] == "已重新答复"
    # The schema reads the row: attribute paths under the documented names.
    assert body["unit"] == world.town_a.name and body["reply_overdue"] is False
    assert "is_reply_overdue" not in body


def test_refusals_answer_with_the_core_error_shape_and_status(api, world):
    notice = _notice(world)
    forbidden = api(world.handler_a).post(
        f"/supervision/notices/{notice.pk}/escalate", {"reason": "整改不到位"}
    )
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "error": "forbidden",
        "message": "只有督查专员或信访局领导可以执行此操作",
        "fields": {},
    }
    wrong_state = api(world.supervisor).post(f"/supervision/notices/{notice.pk}/accept", {})
    assert wrong_state.status_code == 409 and wrong_state.json()["error"] == "wrong_state"
    invalid = api(world.leader_a).post(f"/supervision/notices/{notice.pk}/reply", {"text": ""})
    assert invalid.status_code == 400 and invalid.json()["fields"] == {"reply_text": "请填写书面回复"}


def test_a_hidden_record_is_404_and_an_anonymous_caller_401(api, world):
    notice = _notice(world, unit=world.housing)
    hidden = api(world.handler_a).post(f"/supervision/notices/{notice.pk}/reply", {"text": "答复"})
    assert hidden.status_code == 404 and hidden.json()["error"] == "not_found"
    assert api().post(f"/supervision/notices/{notice.pk}/reply", {"text": "答复"}).status_code == 401
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED
