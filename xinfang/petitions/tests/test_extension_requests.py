"""A handler's extension request (申请延期), decided by the unit leader (Art. 34)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule
from xinfang.documents.kinds import DocumentKind
from xinfang.petitions import actions as a
from xinfang.petitions.actions.extension_requests import (
    ALREADY_EXTENDED,
    ALREADY_PENDING,
    LAPSED,
    NONE_PENDING,
)
from xinfang.petitions.actions.rules import REGISTRY, ROLE_MESSAGE, available
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction, ExtensionRequestStatus, Petition
from xinfang.testing import advance, make_petition, make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _handling(world):
    return advance(make_petition(world), world, to="handling")


def _requested(world, days=20, reason="需要补充调查"):
    petition = _handling(world)
    a.petition_request_extension(actor=world.handler_a, petition=petition, days=days, reason=reason)
    petition.refresh_from_db()
    return petition


# --- who may, in which state ---------------------------------------------------------


def test_only_a_handler_of_the_unit_requests_while_handling(world):
    petition = _handling(world)
    rule = REGISTRY["request_extension"]
    assert rule.check(world.handler_a, petition) is None
    refusal = rule.check(world.leader_a, petition)  # the leader extends directly
    assert isinstance(refusal, Forbidden) and refusal.message == ROLE_MESSAGE
    for other in (world.handler_b, world.housing_handler):
        assert isinstance(rule.check(other, petition), Forbidden), other
    routed = advance(make_petition(world), world, to="routed")
    assert rule.check(world.handler_a, routed).message == "只有办理中的信访事项可以申请延期"
    drafted = advance(make_petition(world), world, to="drafted")
    assert isinstance(rule.check(world.handler_a, drafted), WrongState)


def test_only_the_units_leader_decides_a_pending_request(world):
    petition = _requested(world)
    rule = REGISTRY["decide_extension"]
    assert rule.check(world.leader_a, petition) is None
    for other in (world.handler_a, world.leader_b, world.bureau_leader, world.supervisor):
        assert isinstance(rule.check(other, petition), Forbidden), other
    nothing = _handling(world)
    refusal = rule.check(world.leader_a, nothing)
    assert isinstance(refusal, WrongState) and refusal.message == NONE_PENDING


def test_one_pending_request_at_a_time(world):
    petition = _requested(world)
    with pytest.raises(WrongState) as refused:
        a.petition_request_extension(actor=world.handler_a, petition=petition, days=10, reason="再申请")
    assert refused.value.message == ALREADY_PENDING
    # The leader decides the request instead of extending past it.
    with pytest.raises(WrongState) as direct:
        a.petition_extend(actor=world.leader_a, petition=petition, days=10, reason="直接延期")
    assert "请先审批" in direct.value.message


def test_no_request_once_the_period_was_extended(world):
    petition = _handling(world)
    a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="情况复杂")
    with pytest.raises(WrongState) as refused:
        a.petition_request_extension(actor=world.handler_a, petition=petition, days=5, reason="还需时间")
    assert refused.value.message == ALREADY_EXTENDED


@pytest.mark.parametrize(
    ("days", "reason", "field"), [(31, "理由", "days"), (0, "理由", "days"), (10, " ", "reason")]
)
def test_days_and_reason_are_checked(world, days, reason, field):
    petition = _handling(world)
    with pytest.raises(ActionError) as refused:
        a.petition_request_extension(actor=world.handler_a, petition=petition, days=days, reason=reason)
    assert field in refused.value.fields
    assert not petition.extension_requests.exists()


# --- the transitions -----------------------------------------------------------------


def test_a_request_writes_an_event_and_changes_no_deadline(world):
    petition = _handling(world)
    due = open_deadline_for(petition, DeadlineRule.CONCLUDE).due
    request = a.petition_request_extension(
        actor=world.handler_a, petition=petition, days=20, reason="需要鉴定"
    )
    assert request.status == ExtensionRequestStatus.PENDING and request.requested_by == world.handler_a
    event = petition.events.get(action=EventAction.REQUEST_EXTENSION)
    assert event.actor == world.handler_a and event.reason == "需要鉴定" and event.data["days"] == 20
    assert not event.is_public
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due == due
    petition.refresh_from_db()
    assert not petition.is_extended


def test_approval_extends_exactly_as_the_direct_extension(world):
    requested = _requested(world, days=20, reason="需要鉴定")
    direct = _handling(world)
    a.petition_decide_extension(actor=world.leader_a, petition=requested, approve=True, remarks="同意")
    a.petition_extend(actor=world.leader_a, petition=direct, days=20, reason="需要鉴定")
    for petition in (requested, direct):
        petition.refresh_from_db()
    due = open_deadline_for(requested, DeadlineRule.CONCLUDE).due
    assert due == open_deadline_for(direct, DeadlineRule.CONCLUDE).due
    assert requested.is_extended and requested.current_due == direct.current_due
    # The petitioner is told, with the handler's reason, through the same notice.
    notice = requested.documents.get(kind=DocumentKind.EXTENSION_NOTICE)
    assert "需要鉴定" in notice.body_text
    extend = requested.events.get(action=EventAction.EXTEND)
    assert extend.is_public and extend.actor == world.leader_a and extend.reason == "需要鉴定"
    decision = requested.events.get(action=EventAction.DECIDE_EXTENSION)
    assert decision.data["approved"] is True and decision.reason == "同意" and not decision.is_public
    request = requested.extension_requests.get()
    assert request.status == ExtensionRequestStatus.APPROVED and request.decided_by == world.leader_a
    assert extend.data["request_id"] == request.pk


def test_refusal_needs_remarks_and_changes_nothing(world):
    petition = _requested(world)
    due = open_deadline_for(petition, DeadlineRule.CONCLUDE).due
    with pytest.raises(ActionError) as refused:
        a.petition_decide_extension(actor=world.leader_a, petition=petition, approve=False, remarks="")
    assert "remarks" in refused.value.fields
    a.petition_decide_extension(
        actor=world.leader_a, petition=petition, approve=False, remarks="期限内可办结"
    )
    petition.refresh_from_db()
    assert not petition.is_extended and open_deadline_for(petition, DeadlineRule.CONCLUDE).due == due
    assert not petition.documents.filter(kind=DocumentKind.EXTENSION_NOTICE).exists()
    assert petition.extension_requests.get().status == ExtensionRequestStatus.REFUSED
    assert petition.events.get(action=EventAction.DECIDE_EXTENSION).reason == "期限内可办结"
    # Refused, the handler may ask again.
    a.petition_request_extension(actor=world.handler_a, petition=petition, days=10, reason="补充理由")


def test_an_expired_period_is_not_extended_on_approval(world, freezer_at):
    freezer_at(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    petition = _requested(world)
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due < datetime(2026, 6, 30).date()
    freezer_at(datetime(2026, 6, 30, 10, tzinfo=SHANGHAI))  # well past the 60 days
    # The request lapsed with the period: neither approved nor refused any more.
    for approve, remarks in ((True, ""), (False, "已超期")):
        with pytest.raises(WrongState) as refused:
            a.petition_decide_extension(
                actor=world.leader_a, petition=petition, approve=approve, remarks=remarks
            )
        assert refused.value.message == LAPSED
    petition.refresh_from_db()
    assert not petition.is_extended


def test_an_undecided_request_lapses_with_the_period(world):
    petition = _requested(world)
    advance(petition, world, to="issued")  # drafted and issued before the leader decided
    request = petition.extension_requests.get()
    assert request.status == ExtensionRequestStatus.PENDING and request.shown_status == "已失效"
    review = advance(petition, world, to="review")
    leader = make_user("reviewing_leader", Role.UNIT_LEADER, review.handling_unit)
    assert "decide_extension" not in available(leader, review)
    assert REGISTRY["decide_extension"].check(leader, review).message == LAPSED


# --- a lapsed request (its period ended, or the matter moved on, before the decision) ---


def test_a_request_whose_period_ended_shows_as_lapsed_not_pending(world, freezer_at):
    freezer_at(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI))
    petition = _requested(world)
    request = petition.extension_requests.get()
    due = open_deadline_for(petition, DeadlineRule.CONCLUDE).due
    assert request.shown_status == "待审批" and not request.is_lapsed()
    assert list(Petition.objects.awaiting_extension_decision()) == [petition]
    # On its last day it is still waiting; the day after, it has lapsed.
    freezer_at(datetime(due.year, due.month, due.day, 23, tzinfo=SHANGHAI))
    assert petition.extension_requests.waiting().exists()
    freezer_at(datetime(due.year, due.month, due.day, 23, tzinfo=SHANGHAI) + timedelta(days=1))
    request = petition.extension_requests.with_shown_status().get()
    assert request.is_lapsed() and request.shown_status == "已失效"
    assert list(petition.extension_requests.lapsed()) == [request]
    assert not petition.extension_requests.waiting().exists()
    assert not Petition.objects.awaiting_extension_decision().exists()
    # The leader is not offered the decision, and the action refuses it with the reason.
    assert "decide_extension" not in available(world.leader_a, petition)
    assert REGISTRY["decide_extension"].check(world.leader_a, petition).message == LAPSED
    with pytest.raises(WrongState) as refused:
        a.petition_decide_extension(actor=world.leader_a, petition=petition, approve=True)
    assert refused.value.message == LAPSED
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due == due


def test_a_request_lapsed_by_reclassification_makes_way_for_a_new_one(world):
    petition = _requested(world, days=20, reason="需要鉴定")
    first = petition.extension_requests.get()
    # Reclassified out of Art. 31(6): the 60-day period is dropped and the request lapses.
    a.petition_classify(actor=world.handler_a, petition=petition, petition_class="claim", claim_route=5)
    assert petition.extension_requests.with_shown_status().get().shown_status == "已失效"
    # Back under Art. 31(6): a new period runs; the old request does not revive.
    a.petition_classify(actor=world.handler_a, petition=petition, petition_class="claim", claim_route=6)
    petition.refresh_from_db()
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE) is not None
    assert REGISTRY["decide_extension"].check(world.leader_a, petition).message == LAPSED
    second = a.petition_request_extension(
        actor=world.handler_a, petition=petition, days=10, reason="补充鉴定"
    )
    first.refresh_from_db()
    assert first.status == ExtensionRequestStatus.LAPSED and first.shown_status == "已失效"
    assert list(petition.extension_requests.waiting()) == [second]
    a.petition_decide_extension(actor=world.leader_a, petition=petition, approve=True, remarks="同意")
    second.refresh_from_db()
    assert second.status == ExtensionRequestStatus.APPROVED and second.shown_status == "已同意"
