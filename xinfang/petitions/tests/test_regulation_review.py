"""Review and re-review by the letter: who reviews (Arts. 35, 36①), the
re-review clock (Art. 36②) and finality (Art. 36③)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from xinfang.documents.kinds import DocumentKind
from xinfang.petitions import actions as a
from xinfang.petitions.errors import ActionError, WrongState
from xinfang.petitions.models import DeadlinePause, EventAction
from xinfang.testing import advance, deliver_opinion, hold_rereview_hearing, make_petition, make_unit
from xinfang.units.models import UnitKind, UnitLevel

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


# --- Arts. 35, 36①: the reviewing body is one level above -------------------------


def test_art35_review_naming_a_unit_below_the_original_handler_is_refused(world):
    petition = advance(make_petition(world), world, to="issued")  # answered by 新海街道
    deliver_opinion(petition, world)  # the window runs from receipt (Arts. 35–36)
    for wrong in (world.community_a, world.town_b, world.city):  # below, a peer, two levels up
        with pytest.raises(ActionError) as refused:
            a.petition_request_review(petition=petition, reason="不服", unit=wrong)
        assert "上一级" in refused.value.message
        petition.refresh_from_db()
        assert petition.stage == "initial" and petition.handling_unit == world.town_a
    a.petition_request_review(petition=petition, reason="不服", unit=world.district)
    petition.refresh_from_db()
    assert petition.stage == "review" and petition.handling_unit == world.district


def test_art35_town_review_defaults_to_the_county_government(world):
    petition = advance(make_petition(world), world, to="review")
    assert petition.handling_unit == world.district


def test_art36_rereview_naming_a_unit_below_the_reviewer_is_refused(world):
    petition = advance(make_petition(world), world, to="review_issued")  # reviewed by the district
    deliver_opinion(petition, world)
    with pytest.raises(ActionError):
        a.petition_request_rereview(petition=petition, reason="不服", unit=world.town_a)
    a.petition_request_rereview(petition=petition, reason="不服")
    petition.refresh_from_db()
    assert petition.handling_unit == world.city


def test_art35_department_is_reviewed_by_its_government_or_upper_department(world):
    city_housing = make_unit(
        "连云港市住房和城乡建设局",
        "320700-ZJ",
        parent=world.city,
        level=UnitLevel.CITY,
        kind=UnitKind.DEPARTMENT,
    )
    world.housing.upper_department = city_housing
    world.housing.save()
    assert world.housing.reviewing_bodies() == [world.district, city_housing]
    petition = make_petition(world)
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.housing)
    a.petition_accept(actor=world.housing_handler, petition=petition)
    a.petition_draft_opinion(
        actor=world.housing_handler,
        petition=petition,
        outcome="not_support",
        request="退费",
        facts_reasons="多收停车费",
        findings="收费已备案",
        opinion_text="不予支持",
        legal_basis="《物业管理条例》",
    )
    a.petition_approve_opinion(actor=world.housing_leader, petition=petition)
    deliver_opinion(petition, world)
    petition.refresh_from_db()
    with pytest.raises(ActionError):
        a.petition_request_review(petition=petition, reason="不服", unit=world.bureau)  # a sibling
    a.petition_request_review(petition=petition, reason="不服", unit=city_housing)
    petition.refresh_from_db()
    assert petition.handling_unit == city_housing
    # and the city department's own reviewer is the city government
    assert city_housing.reviewing_bodies() == [world.city]


def test_art35_handling_opinion_names_the_reviewing_body(world):
    petition = advance(make_petition(world), world, to="issued")
    opinion = petition.documents.get(kind=DocumentKind.HANDLING_OPINION)
    assert f"向{world.district.name}请求复查" in opinion.body_text


# --- Art. 36②: only hearing time stops the re-review clock -------------------------


def test_art36_rereview_clock_cannot_stop_without_a_hearing(world):
    petition = advance(make_petition(world), world, to="rereview")
    with pytest.raises(WrongState) as refused:
        a.petition_pause_clock(
            actor=world.bureau_leader, petition=petition, start=date.today(), reason="研究"
        )
    assert "听证" in refused.value.message
    assert not DeadlinePause.objects.filter(deadline__petition=petition).exists()


def test_art36_clock_pause_belongs_to_the_hearing_held(world):
    petition = advance(make_petition(world), world, to="rereview")
    hearing = hold_rereview_hearing(world, petition)
    assert hearing.pause is not None and hearing.pause.start == hearing.held_on
    pause_event = petition.events.get(action=EventAction.PAUSE)
    assert pause_event.data["hearing_id"] == hearing.pk


# --- Art. 36③: a matter concluded by re-review stays concluded -----------------------


def test_art36_matter_concluded_by_rereview_cannot_be_reopened(world):
    petition = advance(make_petition(world), world, to="final")
    assert petition.is_final and petition.status == "closed"
    with pytest.raises(WrongState) as refused:
        a.petition_reopen(actor=world.bureau_leader, petition=petition, reason="信访人继续反映")
    assert "第三十六条第三款" in refused.value.message
    petition.refresh_from_db()
    assert petition.status == "closed" and petition.is_final
    assert not petition.events.filter(action=EventAction.REOPEN).exists()


def test_art36_matter_closed_before_rereview_may_still_be_reopened(world):
    petition = make_petition(world)
    a.petition_reject(actor=world.registrar, petition=petition, reason_code="not_a_petition", reason="误判")
    a.petition_reopen(actor=world.bureau_leader, petition=petition, reason="重新审查")
    petition.refresh_from_db()
    assert petition.status == "registered"


# --- Arts. 35, 36: the review opinions print the request's date -----------------------


def test_art35_review_opinion_prints_the_date_of_the_review_request(world, freezer_at):
    freezer_at(at(2026, 1, 5))
    petition = advance(make_petition(world, received_at=at(2026, 1, 5)), world, to="issued")
    freezer_at(at(2026, 2, 3))
    petition = advance(petition, world, to="review")
    freezer_at(at(2026, 2, 20))
    petition = advance(petition, world, to="review_issued")
    review = petition.documents.get(kind=DocumentKind.REVIEW_OPINION)
    assert "于2026年2月3日向本机关请求复查" in review.body_text
    assert "2026年1月5日" not in review.body_text
    freezer_at(at(2026, 3, 9))
    petition = advance(petition, world, to="rereview")
    freezer_at(at(2026, 3, 20))
    petition = advance(petition, world, to="final")
    rereview = petition.documents.get(kind=DocumentKind.REREVIEW_OPINION)
    assert "于2026年3月9日向本机关请求复核" in rereview.body_text
