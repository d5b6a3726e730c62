"""Bureaus at every level of one installation (issue 14): numbering, scope, moves, reviews."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions import actions as a
from xinfang.petitions.access import can_see, visible_petitions
from xinfang.petitions.actions.intake import PetitionerInput, PetitionInput, petition_register
from xinfang.petitions.actions.moves import case_number_at
from xinfang.petitions.actions.rules import available
from xinfang.petitions.choices import Status
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.errors import ActionError, Forbidden
from xinfang.petitions.models import Custody, CustodyKind
from xinfang.testing import advance, make_city, make_petition
from xinfang.units import bureaus

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


def test_each_bureau_numbers_its_own_matters(city, world):
    year = timezone.localdate().year
    at_city = make_petition(world, actor=city.city_registrar)
    at_district = make_petition(world, actor=world.registrar)
    at_lianyun = make_petition(world, actor=city.lianyun_registrar)
    assert at_city.case_number == f"连信〔{year}〕00001号"
    assert at_district.case_number == f"海信〔{year}〕00001号"
    assert at_lianyun.case_number == f"连云信〔{year}〕00001号"
    assert make_petition(world, actor=world.registrar).case_number == f"海信〔{year}〕00002号"
    assert (at_city.bureau, at_district.bureau, at_lianyun.bureau) == (
        city.city_bureau,
        world.bureau,
        city.lianyun_bureau,
    )


def test_a_unit_registers_for_its_own_bureau(city, world):
    petition = make_petition(world, actor=world.handler_a)
    assert petition.bureau == world.bureau
    assert petition.case_number.startswith("海信")


def test_the_tree_gives_each_bureau_its_area(city, world):
    assert bureaus.bureau_for(world.community_a) == world.bureau
    assert bureaus.bureau_for(city.city_housing) == city.city_bureau
    assert bureaus.upper_bureau(world.bureau) == city.city_bureau
    assert bureaus.upper_bureau(city.city_bureau) is None
    assert bureaus.direct_lower_bureaus(city.city_bureau) == [world.bureau, city.lianyun_bureau]
    assert bureaus.covers_everything(city.city_bureau)
    assert not bureaus.covers_everything(world.bureau)


def test_siblings_see_nothing_of_each_other_and_the_city_sees_both(city, world):
    district = make_petition(world, actor=world.registrar)
    lianyun = make_petition(world, actor=city.lianyun_registrar)
    own = make_petition(world, actor=city.city_registrar)
    a.petition_classify(actor=city.city_registrar, petition=own, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=city.city_registrar, petition=own, unit=city.city_housing)
    assert set(visible_petitions(world.registrar)) == {district}
    assert set(visible_petitions(city.lianyun_registrar)) == {lianyun}
    assert set(visible_petitions(city.city_registrar)) == {district, lianyun, own}
    assert set(visible_petitions(city.city_supervisor)) == {district, lianyun, own}
    assert set(visible_petitions(city.city_housing_handler)) == {own}


def test_upper_bureau_reads_but_does_not_act_in_the_lower_ones_place(city, world):
    petition = make_petition(world, actor=world.registrar)
    assert can_see(city.city_registrar, petition)
    assert "transfer" not in available(city.city_registrar, petition, ["transfer"])
    with pytest.raises(Forbidden):
        a.petition_transfer(actor=city.city_registrar, petition=petition, unit=world.town_a)
    assert "transfer" in available(world.registrar, petition, ["transfer"])


def _assign_down(city, world, **extra):
    petition = make_petition(world, actor=city.city_registrar, **extra)
    a.petition_classify(actor=city.city_registrar, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(
        actor=city.city_registrar, petition=petition, unit=world.bureau, assign=True, report_days=30
    )
    petition.refresh_from_db()
    return petition


def test_assignment_down_lands_on_the_lower_desk_with_its_own_number(city, world):
    year = timezone.localdate().year
    petition = _assign_down(city, world)
    assert petition.status == Status.REGISTERED
    assert petition.bureau == world.bureau
    assert petition.handling_unit is None
    assert petition.case_number == f"连信〔{year}〕00001号"
    row = Custody.objects.get(petition=petition, unit=world.bureau)
    assert row.kind == CustodyKind.FROM_ABOVE_ASSIGN
    assert row.case_number == f"海信〔{year}〕00001号"
    assert case_number_at(petition, world.bureau.pk) == row.case_number
    assert case_number_at(petition, city.city_bureau.pk) == petition.case_number
    # The lower bureau routes it within 15 日 of receiving it; the report is owed upwards.
    assert open_deadline_for(petition, DeadlineRule.ROUTE) is not None
    assert open_deadline_for(petition, DeadlineRule.ASSIGN_REPORT) is not None
    assert can_see(world.registrar, petition) and can_see(city.city_registrar, petition)
    assert not can_see(city.lianyun_registrar, petition)
    # Only the district now routes it.
    assert "transfer" not in available(city.city_registrar, petition, ["transfer"])
    assert "transfer" in available(world.registrar, petition, ["transfer"])


def test_assignment_down_then_routed_on_keeps_the_report_owed_upwards(city, world):
    petition = _assign_down(city, world)
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    petition.refresh_from_db()
    assert petition.status == Status.ROUTED and petition.handling_unit == world.town_a
    assert petition.is_assignment
    a.petition_accept(actor=world.handler_a, petition=petition)
    petition.refresh_from_db()
    # The district's desk reports back up to the city (the handling unit may too).
    assert "report" in available(world.registrar, petition, ["report"])
    a.petition_report(actor=world.registrar, petition=petition, text="已办结：物业已退还多收费用")
    assert open_deadline_for(petition, DeadlineRule.ASSIGN_REPORT) is None
    assert "report" not in available(world.registrar, petition, ["report"])


def test_a_bureau_cannot_send_to_a_sibling_or_to_itself(city, world):
    petition = make_petition(world, actor=world.registrar)
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="claim", claim_route=6)
    with pytest.raises(ActionError, match="下级信访部门"):
        a.petition_transfer(actor=world.registrar, petition=petition, unit=city.lianyun_bureau)
    with pytest.raises(ActionError, match="下级信访部门"):
        a.petition_transfer(actor=world.registrar, petition=petition, unit=city.city_bureau)
    with pytest.raises(ActionError, match="本信访部门"):
        a.petition_transfer(actor=world.registrar, petition=petition, unit=world.bureau)


def test_send_up_moves_the_matter_to_the_upper_desk(city, world):
    year = timezone.localdate().year
    petition = make_petition(world, actor=world.registrar)
    assert "send_up" not in available(city.city_registrar, petition, ["send_up"])
    a.petition_send_up(actor=world.registrar, petition=petition, reason="涉及市级部门职权")
    petition.refresh_from_db()
    assert petition.bureau == city.city_bureau and petition.status == Status.REGISTERED
    row = Custody.objects.get(petition=petition, unit=city.city_bureau)
    assert (row.kind, row.case_number) == (CustodyKind.FROM_BELOW, f"连信〔{year}〕00001号")
    assert "transfer" in available(city.city_registrar, petition, ["transfer"])
    assert "transfer" not in available(world.registrar, petition, ["transfer"])
    # The district that sent it up keeps reading it.
    assert can_see(world.registrar, petition)
    a.petition_classify(actor=city.city_registrar, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=city.city_registrar, petition=petition, unit=city.city_housing)
    assert can_see(world.registrar, petition)
    assert not can_see(city.lianyun_registrar, petition)


def test_the_top_bureau_has_nothing_to_send_up(city, world):
    petition = make_petition(world, actor=city.city_registrar)
    with pytest.raises(ActionError, match="没有上一级信访部门"):
        a.petition_send_up(actor=city.city_registrar, petition=petition, reason="试")


def test_the_unit_that_answered_keeps_reading_the_matter_under_review(city, world):
    petition = make_petition(world, actor=world.registrar)
    petition = advance(petition, world, to="review")
    assert petition.handling_unit == world.district
    assert can_see(world.handler_a, petition)
    assert can_see(world.leader_a, petition)
    assert not can_see(world.handler_b, petition)
    assert Custody.objects.filter(petition=petition, unit=world.town_a, kind=CustodyKind.HANDLED).exists()


def _portal_input(**fields) -> PetitionInput:
    return PetitionInput(
        channel="online",
        title="路灯不亮",
        content="小区门口路灯坏了三个月，请求修复。",
        petitioners=[PetitionerInput(name="李四", phone="13912345678")],
        **fields,
    )


def test_the_portal_never_lands_silently_at_the_top(city, world):
    with pytest.raises(ActionError) as refused:
        petition_register(actor=None, data=_portal_input())
    assert "bureau" in refused.value.fields
    by_town = petition_register(actor=None, data=_portal_input(town_id=world.town_a.pk))
    assert by_town.registering_unit == world.bureau and by_town.case_number.startswith("海信")
    chosen = petition_register(actor=None, data=_portal_input(bureau_id=city.lianyun_bureau.pk))
    assert chosen.registering_unit == city.lianyun_bureau
    with pytest.raises(ActionError):
        petition_register(actor=None, data=_portal_input(bureau_id=world.town_a.pk))


def test_one_bureau_installation_keeps_its_default(world):
    petition = petition_register(actor=None, data=_portal_input())
    assert petition.registering_unit == world.bureau


def test_the_city_reaches_a_district_town_through_the_district_bureau(city, world):
    petition = make_petition(world, actor=city.city_registrar)
    a.petition_classify(actor=city.city_registrar, petition=petition, petition_class="claim", claim_route=6)
    with pytest.raises(ActionError, match="海州区信访局"):
        a.petition_transfer(actor=city.city_registrar, petition=petition, unit=world.town_a)
    # The district government itself is one of the city's own routing targets.
    a.petition_transfer(actor=city.city_registrar, petition=petition, unit=world.district)
