"""Hearings by the letter: for claims under Art. 31(6) and their re-review
(Art. 36②), never for accusations (Art. 30), published only after re-review."""

import pytest
from django.utils import timezone

from xinfang.documents.kinds import DocumentKind
from xinfang.hearings import actions
from xinfang.hearings.models import Hearing, HearingNotice, PublishedHearingOpinion
from xinfang.petitions import actions as a
from xinfang.petitions.errors import ActionError, WrongState
from xinfang.testing import advance, make_petition

from .helpers import make_roster, rereview_petition, schedule

pytestmark = pytest.mark.django_db


def _accusation_in_handling(world):
    petition = make_petition(
        world,
        title="街道干部收受好处",
        content="反映幸福路街道某干部收受好处费",
        petition_class="accusation",
        respondent_unit_id=world.town_b.pk,
        respondent_person="王某",
    )
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
    a.petition_accept(actor=world.discipline_handler, petition=petition)
    petition.refresh_from_db()
    return petition


def _hold_and_conclude(world, hearing, members):
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())
    for member in members:
        actions.hearing_record_opinion(
            actor=world.bureau_leader, hearing=hearing, member=member, opinion="explain", reasoning="理由"
        )
    return actions.hearing_conclude(
        actor=world.bureau_leader,
        hearing=hearing,
        concluded_on=timezone.localdate(),
        conclusion_text="经听证，作出解释说明。",
    )


def test_art30_accusation_cannot_be_scheduled_for_a_hearing(world):
    petition = _accusation_in_handling(world)
    with pytest.raises(ActionError) as refused:
        schedule(world, petition)
    assert "第三十条" in refused.value.message
    assert not petition.hearings.exists()


def test_art30_hearing_notice_never_sent_to_accused_unit(world):
    petition = _accusation_in_handling(world)
    # A hearing row left from before the matter was classified as an accusation.
    hearing = Hearing.objects.create(
        petition=petition,
        stage=petition.stage,
        scheduled_at=timezone.now(),
        place="区纪委监委",
        host=world.bureau_leader,
        created_by=world.bureau_leader,
    )
    with pytest.raises(ActionError):
        actions.hearing_notify(actor=world.bureau_leader, hearing=hearing, method="delivered")
    assert not HearingNotice.objects.filter(unit=world.town_b).exists()
    assert not HearingNotice.objects.filter(recipient=world.town_b.name).exists()


def test_art31_hearing_only_for_claims_handled_under_route_six(world):
    suggestion = make_petition(world, petition_class="suggestion", title="建议增设公交站点")
    suggestion = advance(suggestion, world, to="handling")
    with pytest.raises(ActionError):
        schedule(world, suggestion, actor=world.handler_a)
    claim = advance(make_petition(world), world, to="handling")  # route (6)
    assert schedule(world, claim, actor=world.handler_a).pk


def test_art30_accusation_gets_no_opinion_and_no_review_window(world):
    petition = _accusation_in_handling(world)
    with pytest.raises(ActionError) as refused:
        a.petition_draft_opinion(
            actor=world.discipline_handler,
            petition=petition,
            outcome="support",
            request="查处",
            facts_reasons="收受好处",
            opinion_text="予以查处",
            legal_basis="《中国共产党纪律处分条例》",
        )
    assert "第三十条" in refused.value.message
    a.petition_conclude(actor=world.discipline_handler, petition=petition, result="已依规依纪处理并反馈")
    petition.refresh_from_db()
    assert petition.status == "closed"
    assert not petition.documents.filter(kind=DocumentKind.HANDLING_OPINION).exists()
    assert not petition.deadlines.filter(rule="review_request").exists()
    with pytest.raises(WrongState):
        a.petition_request_review(petition=petition, reason="不服")


def test_art36_first_stage_hearing_opinion_cannot_be_published(world):
    petition = advance(make_petition(world), world, to="handling")
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    _hold_and_conclude(world, hearing, members)
    with pytest.raises(ActionError) as refused:
        actions.hearing_publish(actor=world.bureau_leader, hearing=hearing)
    assert "复核" in refused.value.message
    assert not PublishedHearingOpinion.objects.exists()


def test_art36_rereview_hearing_opinion_may_be_published(world):
    petition = rereview_petition(world)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    _hold_and_conclude(world, hearing, members)
    assert actions.hearing_publish(actor=world.bureau_leader, hearing=hearing).pk


def test_art36_rereview_opinion_after_a_hearing_says_it_was_held(world):
    petition = rereview_petition(world)
    members = make_roster(world, 3)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    _hold_and_conclude(world, hearing, members)
    petition = advance(petition, world, to="final")
    opinion = petition.opinions.get(stage="rereview")
    assert opinion.hearing_held
    document = petition.documents.get(kind=DocumentKind.REREVIEW_OPINION)
    assert "并依法举行了听证" in document.body_text


def test_art32_opinion_without_a_hearing_does_not_mention_one(world):
    petition = advance(make_petition(world), world, to="issued")
    assert not petition.opinions.get().hearing_held
    assert "听证" not in petition.documents.get(kind=DocumentKind.HANDLING_OPINION).body_text
