"""Handling by the letter: which matters the 60-day limit and its extension
govern (Arts. 31, 32, 34), the simple procedure's conversion, the notice owed
on direct receipt (Art. 23②) and the extension arithmetic (Art. 34)."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xinfang.accounts.models import ApiToken
from xinfang.calendars.rules import DeadlineRule
from xinfang.documents.kinds import DocumentKind
from xinfang.lib.deadlines import LibraryCalendar, add_period
from xinfang.petitions import actions as a
from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import Deadline, EventAction
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def _in_handling(world, petition_class, claim_route=None, **fields):
    petition = make_petition(world, petition_class=petition_class, **fields)
    if claim_route is not None:
        a.petition_classify(
            actor=world.registrar, petition=petition, petition_class=petition_class, claim_route=claim_route
        )
    return advance(petition, world, to="handling")


# --- Arts. 29, 31, 34: the 60-day limit governs Art. 31(6) matters ----------------------


def test_art34_suggestion_gets_no_sixty_day_period_and_no_extension(world):
    petition = _in_handling(world, "suggestion", title="建议增设公交站点")
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE) is None
    with pytest.raises(ActionError) as refused:
        a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="需要论证")
    assert "第三十一条第六项" in refused.value.message
    petition.refresh_from_db()
    assert not petition.is_extended
    assert not petition.documents.filter(kind=DocumentKind.EXTENSION_NOTICE).exists()


def test_art34_sixty_days_run_from_acceptance_once_the_claim_takes_route_six(world, freezer_at):
    freezer_at(at(2026, 3, 2))
    petition = _in_handling(world, "claim", received_at=at(2026, 3, 1))
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE) is None
    freezer_at(at(2026, 3, 10))
    a.petition_classify(actor=world.handler_a, petition=petition, petition_class="claim", claim_route=6)
    conclude = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    assert conclude.start == date(2026, 3, 2)  # 自受理之日起
    assert conclude.due == date(2026, 5, 6)  # 2 Mar + 60 日 = 1 May, 劳动节 holiday → 6 May
    # Leaving route (6) for a duty to act (route 5) drops the Art. 34 period again.
    a.petition_classify(actor=world.handler_a, petition=petition, petition_class="claim", claim_route=5)
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE) is None


def test_art31_claim_without_a_route_gets_no_handling_opinion(world):
    petition = _in_handling(world, "claim")
    with pytest.raises(ActionError) as refused:
        a.petition_draft_opinion(
            actor=world.handler_a,
            petition=petition,
            outcome="support",
            request="退费",
            facts_reasons="多收停车费",
            opinion_text="予以支持",
            legal_basis="《物业管理条例》",
        )
    assert "处理途径" in refused.value.message
    petition.refresh_from_db()
    assert petition.status == "handling" and not petition.opinions.exists()


def test_art29_suggestion_is_answered_by_a_reply_not_an_opinion(world):
    petition = _in_handling(world, "suggestion", title="建议增设公交站点")
    with pytest.raises(ActionError):
        a.petition_draft_opinion(
            actor=world.handler_a,
            petition=petition,
            outcome="support",
            request="增设站点",
            facts_reasons="出行不便",
            opinion_text="予以采纳",
            legal_basis="有关规定",
        )
    a.petition_conclude(actor=world.handler_a, petition=petition, result="经研究论证，采纳建议并予以回复")
    petition.refresh_from_db()
    assert petition.status == "closed"
    assert open_deadline_for(petition, DeadlineRule.REVIEW_REQUEST) is None


# --- 简易办理 → 普通程序 ------------------------------------------------------------------


def _simple(world, accepted_on):
    petition = make_petition(
        world,
        received_at=accepted_on - timedelta(days=1),
        petitioners=[PetitionerInput(name="李四", phone="13900002222", address="幸福路2号")],
    )
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="claim", claim_route=6)
    petition = advance(petition, world, to="routed")
    a.petition_accept(actor=world.handler_a, petition=petition, simple=True)
    petition.refresh_from_db()
    return petition


def test_simple_procedure_converts_to_normal_with_sixty_days_from_acceptance(world, freezer_at):
    freezer_at(at(2026, 3, 2))
    petition = _simple(world, at(2026, 3, 2))
    with pytest.raises(WrongState) as refused:
        a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="情况复杂")
    assert "转为普通程序" in refused.value.message
    freezer_at(at(2026, 3, 9))
    with pytest.raises(Forbidden):  # a handler may not convert: the unit leader decides
        a.petition_convert_to_normal(actor=world.handler_a, petition=petition, reason="情况复杂")
    a.petition_convert_to_normal(actor=world.leader_a, petition=petition, reason="需要调查核实")
    petition.refresh_from_db()
    assert not petition.is_simple
    assert open_deadline_for(petition, DeadlineRule.SIMPLE) is None
    assert Deadline.objects.get(petition=petition, rule=DeadlineRule.SIMPLE).cancelled
    conclude = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    assert conclude.start == date(2026, 3, 2) and conclude.due == date(2026, 5, 6)
    assert petition.current_due == conclude.due
    event = petition.events.get(action=EventAction.CONVERT_TO_NORMAL)
    assert event.reason == "需要调查核实" and event.data["new_due"] == "2026-05-06" and event.is_public
    # Now the Art. 34 extension is open to it.
    a.petition_extend(actor=world.leader_a, petition=petition, days=10, reason="情况复杂")
    with pytest.raises(WrongState):
        a.petition_convert_to_normal(actor=world.leader_a, petition=petition, reason="再转一次")


def test_simple_procedure_conversion_through_the_api(world, client):
    petition = _simple(world, at(2026, 3, 2))
    token = ApiToken.issue(world.leader_a, "测试")[1]
    response = client.post(
        f"/api/v1/petitions/{petition.pk}/convert-to-normal",
        json.dumps({"reason": "情况复杂"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    petition.refresh_from_db()
    assert not petition.is_simple and open_deadline_for(petition, DeadlineRule.CONCLUDE) is not None


def test_simple_procedure_conversion_on_the_page(world, client):
    petition = _simple(world, at(2026, 3, 2))
    client.force_login(world.leader_a)
    page = client.get(f"/petitions/{petition.pk}/")
    assert 'id="action-convert_to_normal"' in page.text
    client.post(f"/petitions/{petition.pk}/act/convert_to_normal/", {"reason": "情况复杂"})
    petition.refresh_from_db()
    assert not petition.is_simple


# --- Art. 23②: no notice clock when name and address are unclear -------------------------


def test_art23_no_notice_deadline_for_anonymous_petitioner_without_address(world):
    anonymous = make_petition(
        world, actor=world.handler_a, channel="letter", petitioners=[PetitionerInput(name="匿名")]
    )
    assert anonymous.status == "routed" and anonymous.handling_unit == world.town_a
    assert open_deadline_for(anonymous, DeadlineRule.NOTIFY) is None
    known = make_petition(world, actor=world.handler_a, channel="letter")
    assert open_deadline_for(known, DeadlineRule.NOTIFY) is not None


# --- Art. 34: the extension adds to the 60-day period itself ------------------------------


def test_art34_extension_counts_from_the_period_end_before_the_weekend_roll(world, freezer_at):
    freezer_at(at(2026, 1, 13))
    petition = advance(make_petition(world, received_at=at(2026, 1, 12)), world, to="handling")
    conclude = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    # 13 Jan + 60 日 = Sat 14 Mar; alone, the period ends on Mon 16 Mar.
    assert conclude.due == date(2026, 3, 16)
    a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="情况复杂")
    conclude.refresh_from_db()
    # 14 Mar + 30 日 = Mon 13 Apr: 90 days after acceptance, not 92 (16 Mar + 30 = 15 Apr).
    assert conclude.due == date(2026, 4, 13)
    assert (conclude.due - date(2026, 1, 13)).days == 90


def test_art34_period_end_without_the_rest_day_roll():
    calendar = LibraryCalendar()
    rolled = add_period(date(2026, 1, 13), 60, working_days=False, calendar=calendar)
    raw = add_period(date(2026, 1, 13), 60, working_days=False, calendar=calendar, roll_forward=False)
    assert (raw.date, rolled.date) == (date(2026, 3, 14), date(2026, 3, 16))
