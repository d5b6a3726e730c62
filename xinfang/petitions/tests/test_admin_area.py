"""Issue 14 §1: a bureau's administrator works in the Django admin only inside their
bureau's area (staff, units, templates, tokens); the top bureau's administrators see all."""

import pytest

from xinfang.accounts.models import ApiToken, Role, User
from xinfang.documents.models import DocumentTemplate
from xinfang.documents.render import default_body
from xinfang.testing import make_city, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


def _link(model: str, obj) -> str:
    app = "accounts" if model == "user" else "units"
    return f"/admin/{app}/{model}/{obj.pk}/change/"


def _admin(username, unit):
    user = make_user(username, Role.ADMIN, unit, username)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def lianyun_admin(city):
    return _admin("lianyun_admin", city.lianyun_bureau)


@pytest.fixture
def city_admin(city):
    return _admin("city_admin", city.city_bureau)


def test_a_district_admin_lists_only_its_areas_staff_and_units(client, world, city, lianyun_admin):
    client.force_login(lianyun_admin)
    users = client.get("/admin/accounts/user/?all=").content.decode()
    assert _link("user", city.lianyun_registrar) in users and _link("user", city.lianyun_handler) in users
    for other in (world.registrar, world.handler_a, city.city_registrar, world.outsider):
        assert _link("user", other) not in users
    units = client.get("/admin/units/unit/?all=").content.decode()
    assert _link("unit", city.lianyun_town) in units and _link("unit", city.lianyun_bureau) in units
    for other in (world.town_a, world.bureau, city.city_housing, city.city_bureau):
        assert _link("unit", other) not in units


def test_a_district_admin_cannot_open_or_edit_another_districts_rows(client, world, city, lianyun_admin):
    client.force_login(lianyun_admin)
    for url in (
        f"/admin/accounts/user/{world.handler_a.pk}/change/",
        f"/admin/units/unit/{world.town_a.pk}/change/",
        f"/admin/units/unit/{world.bureau.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 404), url
    world.handler_a.refresh_from_db()
    client.post(
        f"/admin/accounts/user/{world.handler_a.pk}/change/",
        {"username": "handler_a", "role": Role.HANDLER, "unit": city.lianyun_town.pk, "is_active": "on"},
    )
    world.handler_a.refresh_from_db()
    assert world.handler_a.unit == world.town_a
    assert client.post(f"/admin/accounts/user/{world.handler_a.pk}/delete/", {"post": "yes"}).status_code in (
        302,
        404,
    )
    assert User.objects.filter(pk=world.handler_a.pk).exists()


def test_a_district_admin_cannot_move_its_staff_to_another_district(client, world, city, lianyun_admin):
    client.force_login(lianyun_admin)
    page = client.get(f"/admin/accounts/user/{city.lianyun_handler.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert set(form.fields["unit"].queryset) == {city.lianyun, city.lianyun_bureau, city.lianyun_town}
    assert form.fields["unit"].required  # an account with no unit would leave the area
    data = {
        "username": "lianyun_handler",
        "role": Role.HANDLER,
        "unit": world.town_a.pk,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    response = client.post(f"/admin/accounts/user/{city.lianyun_handler.pk}/change/", data)
    assert response.status_code == 200  # the form comes back with the error
    city.lianyun_handler.refresh_from_db()
    assert city.lianyun_handler.unit == city.lianyun_town


def test_a_district_admin_sees_only_its_tokens_and_templates(client, world, city, lianyun_admin):
    ApiToken.issue(world.registrar, "海州区对接")
    ApiToken.issue(city.lianyun_registrar, "连云区对接")
    own = DocumentTemplate.objects.create(
        kind="receipt", bureau=city.lianyun_bureau, title="连云区登记回执", body=default_body("receipt")
    )
    DocumentTemplate.objects.create(
        kind="receipt", bureau=world.bureau, title="海州区登记回执", body=default_body("receipt")
    )
    client.force_login(lianyun_admin)
    tokens = client.get("/admin/accounts/apitoken/").content.decode()
    assert "连云区对接" in tokens and "海州区对接" not in tokens
    templates = client.get("/admin/documents/documenttemplate/").content.decode()
    assert "连云区登记回执" in templates and "海州区登记回执" not in templates
    default = DocumentTemplate.objects.get(kind="acceptance_notice", bureau=None)
    # The installation's defaults are the top bureau's.
    assert f"/admin/documents/documenttemplate/{default.pk}/change/" not in templates
    assert client.get(f"/admin/documents/documenttemplate/{default.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/documents/documenttemplate/{own.pk}/change/").status_code == 200
    add = client.get("/admin/documents/documenttemplate/add/").context["adminform"].form
    assert list(add.fields["bureau"].queryset) == [city.lianyun_bureau]
    assert add.fields["bureau"].required


def test_the_top_bureaus_admin_sees_every_district(client, world, city, city_admin):
    client.force_login(city_admin)
    users = client.get("/admin/accounts/user/?all=").content.decode()
    assert _link("user", city.lianyun_handler) in users and _link("user", world.handler_a) in users
    units = client.get("/admin/units/unit/?all=").content.decode()
    assert _link("unit", city.lianyun_town) in units and _link("unit", world.town_a) in units
    assert client.get(f"/admin/accounts/user/{world.handler_a.pk}/change/").status_code == 200
    templates = client.get("/admin/documents/documenttemplate/").content.decode()
    default = DocumentTemplate.objects.get(kind="acceptance_notice", bureau=None)
    assert f"/admin/documents/documenttemplate/{default.pk}/change/" in templates


def test_a_one_bureau_installation_admin_sees_everything(client, world):
    admin = world.admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    users = client.get("/admin/accounts/user/?all=").content.decode()
    assert _link("user", world.handler_a) in users and _link("user", world.outsider) in users
