"""Issue 14 §1: every page works inside the user's bureau — the header names it, and its
desk routes to its lower bureaus and the units of its own area, never a sibling's."""

from __future__ import annotations

import pytest

from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.testing import make_city, make_petition
from xinfang.web.action_forms import TransferForm
from xinfang.web.forms import DeskForm

from .test_desk import desk_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


def _groups(field) -> dict[str, list[int]]:
    return {str(label): [pk for pk, _ in options] for label, options in field.choices[1:]}


def test_the_header_names_the_users_bureau(world, city, login):
    for user, bureau in (
        (city.lianyun_registrar, "连云区信访局"),
        (city.lianyun_handler, "连云区信访局"),
        (world.registrar, "海州区信访局"),
        (city.city_leader, "连云港市信访局"),
    ):
        page = login(user).get("/inbox/").content.decode()
        brand = page[page.index('class="brand"') : page.index("</a>", page.index('class="brand"'))]
        assert bureau in brand, user.username
        assert f"· {bureau} ·" in page[page.index("<title>") : page.index("</title>")]


def test_a_district_desk_routes_only_inside_its_district(world, city):
    field = DeskForm(user=city.lianyun_registrar).fields["route_unit"]
    offered = [pk for pks in _groups(field).values() for pk in pks]
    assert city.lianyun_town.pk in offered
    for other in (world.town_a, world.housing, city.city_housing, world.district):
        assert other.pk not in offered
    assert "下级信访部门" not in _groups(field)  # 连云区 has no town-level bureau


def test_the_city_desk_offers_its_districts_bureaus_first_and_its_own_units(world, city):
    field = DeskForm(user=city.city_registrar).fields["route_unit"]
    groups = _groups(field)
    assert list(groups)[0] == "下级信访部门"
    assert groups["下级信访部门"] == [world.bureau.pk, city.lianyun_bureau.pk]
    offered = [pk for pks in groups.values() for pk in pks]
    assert city.city_housing.pk in offered and world.district.pk in offered
    # The districts' own units are reached through their bureaus.
    assert world.town_a.pk not in offered and city.lianyun_town.pk not in offered


def test_a_one_bureau_installation_routes_to_every_unit_as_before(world):
    field = DeskForm(user=world.registrar).fields["route_unit"]
    offered = [pk for pks in _groups(field).values() for pk in pks]
    for unit in (world.town_a, world.housing, world.discipline, world.city):
        assert unit.pk in offered
    assert world.bureau.pk not in offered


def test_the_petition_page_sends_a_matter_down_to_a_district(world, city, login):
    petition = make_petition(world, actor=city.city_registrar)
    form = TransferForm(user=city.city_registrar, petition=petition)
    assert _groups(form.fields["unit"])["下级信访部门"] == [world.bureau.pk, city.lianyun_bureau.pk]
    client = login(city.city_registrar)
    response = client.post(
        f"/petitions/{petition.pk}/act/transfer/",
        {"unit": world.bureau.pk, "assign": "on", "report_days": 20},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.bureau == world.bureau and petition.status == Status.REGISTERED


def test_a_district_cannot_pick_a_sibling_districts_unit(world, city, login):
    petition = make_petition(world, actor=city.lianyun_registrar)
    client = login(city.lianyun_registrar)
    response = client.post(f"/petitions/{petition.pk}/act/transfer/", {"unit": world.town_a.pk})
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.handling_unit is None and petition.status == Status.REGISTERED


def test_register_and_send_down_from_the_city_desk(world, city, login):
    client = login(city.city_registrar)
    data = desk_post(
        world,
        people=[{"name": "李四", "address": "新海街道"}],
        then="transfer",
        route_unit=world.bureau.pk,
        route_assign="on",
    )
    response = client.post("/desk/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    petition = Petition.objects.get(title="小区停车费上涨")
    assert petition.case_number.startswith("连信") and petition.bureau == world.bureau


def test_a_district_inbox_offers_only_its_areas_units(world, city, login):
    make_petition(world, actor=city.lianyun_registrar)
    page = login(city.lianyun_registrar).get("/inbox/")
    assert page.status_code == 200
    route = [u.pk for u in page.context["route_units"]]
    assert city.lianyun_town.pk in route and world.town_a.pk not in route
    filter_units = [pk for pk, _ in page.context["form"].fields["unit"].choices if pk]
    assert city.lianyun_town.pk in filter_units
    assert world.town_a.pk not in filter_units and world.housing.pk not in filter_units


def test_the_city_inbox_routes_to_its_districts_bureaus(world, city, login):
    page = login(city.city_registrar).get("/inbox/")
    route = [u.pk for u in page.context["route_units"]]
    assert route[:2] == [world.bureau.pk, city.lianyun_bureau.pk]
    assert world.town_a.pk not in route and city.city_housing.pk in route


def test_bulk_routing_refuses_a_sibling_districts_unit(world, city, login):
    petition = make_petition(world, actor=city.lianyun_registrar)
    client = login(city.lianyun_registrar)
    response = client.post("/inbox/route/", {"unit": world.town_a.pk, "ids": [petition.pk]}, follow=True)
    assert "只能转送给本部门辖区内的单位或下级信访部门" in response.content.decode()
    petition.refresh_from_db()
    assert petition.handling_unit is None and petition.status == Status.REGISTERED
