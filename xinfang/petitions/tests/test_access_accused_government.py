"""Issue 13 §3: an accusation against a government is hidden from that government and the units
under it, never from the bureau that registers and routes it nor the discipline unit handling it."""

import pytest

from xinfang.accounts.models import Role
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.testing import make_petition, make_user

pytestmark = pytest.mark.django_db


def sees(user, petition) -> bool:
    return visible_petitions(user).filter(pk=petition.pk).exists()


def accusation_against(world, unit):
    return make_petition(
        world,
        title="反映政府工作人员违规插手工程",
        petition_class="accusation",
        respondent_unit_id=unit.pk,
        respondent_person="某某",
    )


@pytest.mark.parametrize("accused", ["district", "city"])
def test_accusation_against_a_government_reaches_the_bureau_and_the_discipline_unit(world, accused):
    district_leader = make_user("district_leader", Role.UNIT_LEADER, world.district)
    city_leader = make_user("city_leader", Role.UNIT_LEADER, world.city)
    petition = accusation_against(world, getattr(world, accused))
    # Registered at the desk: the bureau (a sub-unit of the accused government) still sees it.
    for persona in ("registrar", "bureau_leader", "supervisor", "admin"):
        assert sees(getattr(world, persona), petition), persona
    assert get_petition_for(world.registrar, petition.pk) == petition
    # Handled by the discipline unit (a sub-unit of the accused government too), which sees it.
    # (Set directly: whether petition_transfer may route there is the actions' rule, not access.)
    type(petition).objects.filter(pk=petition.pk).update(handling_unit=world.discipline, status="routed")
    assert sees(world.discipline_handler, petition) and sees(world.discipline_leader, petition)
    assert sees(world.registrar, petition)
    # The accused government and the ordinary units under it never do.
    hidden = ["handler_a", "leader_a", "community_handler", "housing_handler", "pl_handler"]
    for persona in hidden:
        assert not sees(getattr(world, persona), petition), persona
    assert not sees(district_leader, petition)
    if accused == "city":
        assert not sees(city_leader, petition)


def test_accused_bureau_itself_does_not_see_the_accusation(world):
    petition = accusation_against(world, world.bureau)
    assert not sees(world.registrar, petition)
    assert not sees(world.bureau_leader, petition)


def test_accused_discipline_unit_itself_does_not_see_the_accusation(world):
    petition = accusation_against(world, world.discipline)
    type(petition).objects.filter(pk=petition.pk).update(handling_unit=world.discipline, status="routed")
    assert not sees(world.discipline_handler, petition)
    assert sees(world.registrar, petition)


def test_accused_person_never_sees_it_even_in_the_bureau(world):
    petition = accusation_against(world, world.district)
    type(petition).objects.filter(pk=petition.pk).update(respondent_user=world.bureau_leader)
    assert not sees(world.bureau_leader, petition)
    assert sees(world.registrar, petition)
