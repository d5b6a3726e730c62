"""Issue 14 §1: each bureau's case-number prefix (案号前缀), checked where the admin sets it."""

import pytest
from django.core.exceptions import ValidationError

from xinfang.testing import make_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


def _refusal(unit, prefix) -> str:
    unit.case_prefix = prefix
    with pytest.raises(ValidationError) as caught:
        unit.full_clean()
    return " ".join(caught.value.message_dict["case_prefix"])


def test_a_bureau_of_a_city_installation_needs_a_prefix(world, city):
    assert "每个信访部门须设置自己的案号前缀" in _refusal(city.lianyun_bureau, "")
    assert "每个信访部门须设置自己的案号前缀" in _refusal(city.lianyun_bureau, "  ")


def test_a_one_bureau_installation_may_leave_it_empty(world):
    world.bureau.case_prefix = ""
    world.bureau.full_clean()


def test_the_prefix_is_unique_short_and_plain(world, city):
    assert "已由海州区信访局使用" in _refusal(city.lianyun_bureau, "海")
    assert "不能超过4个字" in _refusal(city.lianyun_bureau, "连云港市区")
    for bad in ("连1", "连-云", "连 云", "L."):
        assert "只能由汉字或字母组成" in _refusal(city.lianyun_bureau, bad)
    for good in ("连云", "LY", "赣"):
        city.lianyun_bureau.case_prefix = good
        city.lianyun_bureau.full_clean()


def test_only_a_bureau_has_a_prefix(world, city):
    assert "只有信访部门设置案号前缀" in _refusal(world.town_a, "新")


def test_the_admin_shows_the_message_on_the_field(client, world, city):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.unit = city.city_bureau
    world.admin.save()
    client.force_login(world.admin)
    bureau = city.lianyun_bureau
    data = {
        "name": bureau.name,
        "short_name": bureau.short_name,
        "code": bureau.code,
        "parent": bureau.parent_id,
        "level": bureau.level,
        "kind": bureau.kind,
        "case_prefix": "海",
        "is_active": "on",
    }
    response = client.post(f"/admin/units/unit/{bureau.pk}/change/", data)
    assert response.status_code == 200
    assert "案号前缀“海”已由海州区信访局使用，请另选一个" in response.content.decode()
    bureau.refresh_from_db()
    assert bureau.case_prefix == "连云"
    response = client.post(f"/admin/units/unit/{bureau.pk}/change/", {**data, "case_prefix": "云"})
    assert response.status_code == 302
    bureau.refresh_from_db()
    assert bureau.case_prefix == "云"
