from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from xinfang.petitions import access
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.reception import actions
from xinfang.reception.access import get_joint_for
from xinfang.reception.models import JointStatus, ParticipantStatus, PostKind

from .helpers import handling_petition, mechanism_steps


def _open(world, petition, **kw):
    due = timezone.localdate() + timedelta(days=5)
    return actions.joint_open(
        actor=world.registrar,
        petition=petition,
        lead=actions.ParticipantInput(unit=world.town_a, due=due, task="牵头核实"),
        cooperating=[
            actions.ParticipantInput(unit=world.housing, due=due, task="说明收费备案情况"),
            actions.ParticipantInput(unit=world.town_b, due=due),
        ],
        **kw,
    )


def _state(world, joint, user, part, position):
    p1 = actions.joint_post(actor=user, joint=joint, kind=PostKind.PART, text=part)
    p2 = actions.joint_post(actor=user, joint=joint, kind=PostKind.POSITION, text=position)
    return p1, p2


@pytest.mark.django_db
def test_online_joint_answer_lists_each_units_part_traceable_to_posts(world):
    petition = handling_petition(world)
    joint = _open(world, petition)
    lead_posts = _state(world, joint, world.handler_a, "核实小区停车位权属", "物业收费应公示")
    housing_posts = _state(world, joint, world.housing_handler, "核查物业收费备案", "超标准部分应退还")
    with pytest.raises(ActionError) as exc:
        actions.joint_draft_answer(actor=world.handler_a, joint=joint, text="综合答复")
    assert "幸福路街道" in exc.value.message
    _state(world, joint, world.handler_b, "无", "不涉及本街道")

    joint = actions.joint_draft_answer(
        actor=world.handler_a, joint=joint, text="经三家单位共同核查，答复如下……"
    )

    assert joint.status == JointStatus.ANSWER_DRAFTED
    parts = {part["unit_id"]: part for part in joint.answer_parts}
    assert parts[world.housing.pk]["part"] == "核查物业收费备案"
    assert parts[world.housing.pk]["post_ids"] == [p.pk for p in housing_posts]
    assert parts[world.town_a.pk]["post_ids"] == [p.pk for p in lead_posts]
    assert all(p.status == ParticipantStatus.STATED for p in joint.participants.all())
    actions.joint_close(actor=world.registrar, joint=joint, outcome="handed_to_lead", note="由新海街道答复")
    assert mechanism_steps(petition, "joint_handling")[0] == "opened"
    assert mechanism_steps(petition, "joint_handling")[-2:] == ["answer_drafted", "closed"]


@pytest.mark.django_db
def test_only_the_lead_unit_drafts_and_online_case_needs_answer_before_closing(world):
    joint = _open(world, handling_petition(world))
    with pytest.raises(Forbidden):
        actions.joint_draft_answer(actor=world.housing_handler, joint=joint, text="x")
    with pytest.raises(WrongState):
        actions.joint_close(actor=world.registrar, joint=joint, outcome="other", note="x")


@pytest.mark.django_db
def test_cooperating_unit_sees_petition_and_thread_but_uninvolved_unit_does_not(world):
    petition = handling_petition(world)
    assert not access.can_see(world.housing_handler, petition)
    joint = _open(world, petition)
    actions.joint_post(
        actor=world.housing_handler, joint=joint, kind=PostKind.QUESTION, text="请提供收费公示"
    )

    assert access.can_see(world.housing_handler, petition)
    assert get_joint_for(world.housing_handler, joint.pk).pk == joint.pk
    assert not access.can_see(world.pl_handler, petition)
    with pytest.raises(Http404):
        get_joint_for(world.pl_handler, joint.pk)
    with pytest.raises(Forbidden):
        actions.joint_post(actor=world.pl_handler, joint=joint, kind=PostKind.POSITION, text="插话")


@pytest.mark.django_db
def test_thread_page_is_hidden_from_uninvolved_unit(client, world):
    joint = _open(world, handling_petition(world))
    client.force_login(world.pl_handler)
    assert client.get(f"/reception/joint/{joint.pk}/").status_code == 404
    client.force_login(world.housing_handler)
    response = client.get(f"/reception/joint/{joint.pk}/")
    assert response.status_code == 200
    assert "说明收费备案情况" in response.content.decode()


@pytest.mark.django_db
def test_bureau_may_ask_but_not_state_a_units_part(world):
    joint = _open(world, handling_petition(world))
    actions.joint_post(actor=world.registrar, joint=joint, kind=PostKind.QUESTION, text="请各单位三日内表态")
    with pytest.raises(Forbidden):
        actions.joint_post(actor=world.registrar, joint=joint, kind=PostKind.PART, text="代为表态")


@pytest.mark.django_db
def test_one_open_joint_case_per_petition_and_units_unique(world):
    petition = handling_petition(world)
    _open(world, petition)
    with pytest.raises(WrongState):
        _open(world, petition)
    due = timezone.localdate() + timedelta(days=3)
    other = handling_petition(world, title="另一事项")
    with pytest.raises(ActionError):
        actions.joint_open(
            actor=world.registrar,
            petition=other,
            lead=actions.ParticipantInput(unit=world.town_a, due=due),
            cooperating=[actions.ParticipantInput(unit=world.town_a, due=due)],
        )


@pytest.mark.django_db
def test_session_visit_and_one_stop_outcome_recorded_once(world):
    petition = handling_petition(world)
    session = actions.session_create(
        actor=world.registrar,
        date=timezone.localdate(),
        units=[world.town_a, world.housing],
        staff=[world.handler_a],
        leader_on_duty=world.bureau_leader,
    )
    visit = actions.visit_register(actor=world.handler_a, session=session, petition=petition)
    with pytest.raises(ActionError):
        actions.visit_register(actor=world.registrar, session=session, petition=petition)
    with pytest.raises(Forbidden):
        actions.visit_register(actor=world.handler_b, session=session, petition=handling_petition(world))
    actions.visit_record_outcome(
        actor=world.registrar, visit=visit, outcome="resolved_on_spot", note="当场退费"
    )
    with pytest.raises(WrongState):
        actions.visit_record_outcome(actor=world.registrar, visit=visit, outcome="other", note="再登记")
    assert mechanism_steps(petition, "joint_reception") == ["visit_registered", "outcome"]


@pytest.mark.django_db
def test_staff_pages_render(client, world):
    petition = handling_petition(world)
    joint = _open(world, petition)
    session = actions.session_create(actor=world.registrar, date=timezone.localdate())
    client.force_login(world.registrar)
    for url in [
        "/reception/",
        f"/reception/sessions/{session.pk}/",
        "/reception/joint/",
        f"/reception/joint/new/?petition={petition.pk}",
        f"/reception/joint/{joint.pk}/",
        "/reception/leader/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(f"/reception/sessions/{session.pk}/visit/", {"case_number": petition.case_number})
    assert response.status_code == 302
    assert session.visits.filter(petition=petition).exists()
