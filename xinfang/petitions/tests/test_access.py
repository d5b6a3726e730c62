"""Each role's view of each kind of petition (issue 2 §6)."""

import pytest
from django.http import Http404

from xinfang.petitions import actions as a
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def sees(user, petition) -> bool:
    return visible_petitions(user).filter(pk=petition.pk).exists()


@pytest.fixture
def ordinary(world):
    return advance(make_petition(world), world, to="handling")  # handled by town_a


@pytest.fixture
def accusation(world):
    petition = make_petition(
        world,
        title="反映新海街道工作人员吃拿卡要",
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
        respondent_person="某某",
    )
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
    return petition


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("registrar", True),
        ("bureau_leader", True),
        ("supervisor", True),
        ("admin", True),
        ("handler_a", True),
        ("leader_a", True),
        ("community_handler", False),  # a sub-unit does not see its parent's petitions
        ("handler_b", False),
        ("leader_b", False),
        ("housing_handler", False),
        ("hearing_member", False),
        ("outsider", False),
    ],
)
def test_ordinary_petition(world, ordinary, persona, expected):
    assert sees(getattr(world, persona), ordinary) is expected


def test_unit_sees_petitions_of_its_sub_units(world):
    petition = make_petition(world)
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.community_a)
    assert sees(world.community_handler, petition)
    assert sees(world.handler_a, petition)  # town_a is the parent of community_a
    assert not sees(world.handler_b, petition)


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("registrar", True),
        ("bureau_leader", True),
        ("supervisor", True),
        ("discipline_handler", True),
        ("discipline_leader", True),
        ("handler_a", False),
        ("leader_a", False),  # the accused unit
        ("community_handler", False),  # inside the accused unit
        ("handler_b", False),
        ("hearing_member", False),
    ],
)
def test_accusation_hidden_from_the_accused_unit(world, accusation, persona, expected):
    assert sees(getattr(world, persona), accusation) is expected


def test_accusation_hidden_from_accused_unit_even_when_routed_there_by_mistake(world):
    """Whatever else the rules say (Art. 30③): even a unit that handles it cannot see it if accused."""
    from xinfang.petitions.models import Petition

    petition = make_petition(world, petition_class="accusation", respondent_unit_id=world.town_a.pk)
    Petition.objects.filter(pk=petition.pk).update(handling_unit=world.town_a, status="routed")
    assert not sees(world.handler_a, petition)


def test_accusation_hidden_from_the_accused_person(world):
    petition = make_petition(world, petition_class="accusation")
    type(petition).objects.filter(pk=petition.pk).update(respondent_user=world.registrar)
    assert not sees(world.registrar, petition)
    assert sees(world.bureau_leader, petition)


def test_recused_staff_does_not_see_the_petition(world, ordinary):
    a.petition_recuse(actor=world.leader_a, petition=ordinary, user=world.handler_a, reason="利害关系")
    assert not sees(world.handler_a, ordinary)
    assert sees(world.leader_a, ordinary)
    with pytest.raises(Http404):
        get_petition_for(world.handler_a, ordinary.pk)


def test_get_petition_for_hides_existence(world, accusation):
    with pytest.raises(Http404):
        get_petition_for(world.handler_a, accusation.pk)
    with pytest.raises(Http404):
        get_petition_for(world.handler_a, "not-a-number")
    assert get_petition_for(world.discipline_handler, accusation.pk) == accusation


def test_unit_registering_directly_sees_its_own_intake(world):
    petition = make_petition(world, actor=world.handler_b)
    assert sees(world.handler_b, petition)
    assert not sees(world.handler_a, petition)


def test_anonymous_and_inactive_users_see_nothing(world, ordinary):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_petitions(AnonymousUser()).exists()
    world.registrar.is_active = False
    assert not sees(world.registrar, ordinary)


def test_supervisor_sees_all_but_cannot_move_petitions(world, ordinary):
    from xinfang.petitions.errors import Forbidden

    assert sees(world.supervisor, ordinary)
    with pytest.raises(Forbidden):
        a.petition_extend(actor=world.supervisor, petition=ordinary, days=10, reason="x")
    with pytest.raises(Forbidden):
        a.petition_transfer(actor=world.supervisor, petition=make_petition(world), unit=world.town_b)
