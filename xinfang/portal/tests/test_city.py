"""Issue 14 §1: in a city installation the portal registers a petition at the bureau of
the place it concerns, picked by the petitioner, and everything the petitioner gets
back names that bureau with its phone and address — never the top of the tree."""

import re

import pytest

from xinfang.documents.models import IssuedDocument
from xinfang.documents.views import rights_card_context
from xinfang.notifications.models import Notification
from xinfang.petitions.models import Petition
from xinfang.testing import make_city

from .conftest import solve_captcha, submission

pytestmark = pytest.mark.django_db
URL = "/portal/submit/"


@pytest.fixture
def city(world):
    city = make_city(world)
    world.bureau.phone, world.bureau.address = "0518-85512345", "海州区朝阳中路68号"
    world.bureau.save()
    city.city_bureau.phone, city.city_bureau.address = "0518-85800001", "连云港市朝阳东路"
    city.city_bureau.save()
    city.lianyun_bureau.phone, city.lianyun_bureau.address = "0518-82310000", "连云区中山路1号"
    city.lianyun_bureau.save()
    return city


def post(client, world, **overrides):
    return client.post(URL, {**submission(world, **overrides), **solve_captcha()}, REMOTE_ADDR="10.0.0.9")


def test_one_bureau_installation_shows_no_bureau_picker(client, world):
    page = client.get(URL).content.decode()
    assert 'name="bureau"' not in page
    assert "问题发生地（乡镇、街道）" in page
    assert "<optgroup" not in page


def test_city_portal_groups_towns_under_their_district_and_offers_the_bureaus(client, world, city):
    page = client.get(URL).content.decode()
    assert "事项所在地（区县、乡镇街道）" in page
    groups = re.findall(r'<optgroup label="([^"]+)">', page)
    assert groups[:3] == ["连云港市", "海州区", "连云区"]
    haizhou = page[page.index('<optgroup label="海州区">') : page.index('<optgroup label="连云区">')]
    assert world.town_a.name in haizhou and world.town_b.name in haizhou
    assert city.lianyun_town.name not in haizhou
    assert f'value="b{world.bureau.pk}"' in haizhou  # the district as a whole
    picker = page[page.index('name="bureau"') :]
    for bureau in (city.city_bureau, world.bureau, city.lianyun_bureau):
        assert f'<option value="{bureau.pk}">{bureau.name}</option>' in picker


def test_a_town_registers_at_its_district_bureau_with_its_contacts(
    client, world, city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, world, town=str(world.town_a.pk))
    assert response.status_code == 200
    petition = Petition.objects.get()
    assert petition.bureau == world.bureau and petition.registering_unit == world.bureau
    assert petition.town == world.town_a
    assert petition.case_number.startswith("海信")
    body = response.content.decode()
    assert "海州区信访局" in body and "0518-85512345" in body and "海州区朝阳中路68号" in body
    assert "连云港市信访局" not in body
    sms = Notification.objects.get(petition=petition, channel="sms")
    assert sms.body.startswith("【海州区信访局】")
    card = rights_card_context(petition)
    assert (card["bureau_name"], card["bureau_phone"], card["bureau_address"]) == (
        "海州区信访局",
        "0518-85512345",
        "海州区朝阳中路68号",
    )


def test_a_district_as_a_whole_registers_at_that_district(client, world, city):
    assert post(client, world, town=f"b{city.lianyun_bureau.pk}").status_code == 200
    petition = Petition.objects.get()
    assert petition.bureau == city.lianyun_bureau
    assert petition.town is None  # no town was named
    assert petition.case_number.startswith("连云信")


def test_the_bureau_picked_directly_registers_the_matter(client, world, city):
    assert post(client, world, town="", bureau=str(city.city_bureau.pk)).status_code == 200
    petition = Petition.objects.get()
    assert petition.bureau == city.city_bureau
    assert petition.case_number.startswith("连信")


def test_nothing_picked_is_refused_next_to_the_picker(client, world, city):
    response = post(client, world, town="")
    assert response.status_code == 400
    assert not Petition.objects.exists()
    page = response.content.decode()
    field = page[page.index('for="id_town"') : page.index('for="id_bureau"')]
    assert "请选择事项所在地或受理的信访部门" in field


def test_a_bureau_that_does_not_exist_is_refused(client, world, city):
    response = post(client, world, town="", bureau="999999")
    assert response.status_code == 400
    assert "所选项目不存在，请重新选择" in response.content.decode()
    assert not Petition.objects.exists()


def test_notices_of_a_district_matter_carry_the_district_bureau(world, city):
    from xinfang.testing import advance, make_petition

    petition = advance(make_petition(world), world, to="handling")
    notices = IssuedDocument.objects.filter(
        petition=petition, kind__in=["transfer_notice", "acceptance_notice"]
    )
    assert sorted(n.kind for n in notices) == ["acceptance_notice", "transfer_notice"]
    for notice in notices:
        assert (
            "如有疑问，可以联系海州区信访局，电话：0518-85512345，地址：海州区朝阳中路68号。"
            in notice.body_text
        )
        assert "连云港市信访局" not in notice.body_text
