"""Issue 14 §1: each bureau may have its own template per kind of document, used for the
documents the units of its area issue, falling back to the installation's default;
文号 and letterhead belong to the issuing unit."""

import pytest
from django.core.exceptions import ValidationError

from xinfang.documents.actions import document_issue, next_document_number, template_for
from xinfang.documents.kinds import DocumentKind
from xinfang.documents.models import DocumentTemplate
from xinfang.documents.render import default_body
from xinfang.testing import make_city, make_petition

pytestmark = pytest.mark.django_db
KIND = DocumentKind.ACCEPTANCE_NOTICE


@pytest.fixture
def city(world):
    return make_city(world)


@pytest.fixture
def haizhou_template(world, city):
    row = DocumentTemplate(
        kind=KIND,
        bureau=world.bureau,
        title="海州区信访事项受理告知书",
        body=default_body(KIND).replace("特此告知。", "海州区诉求服务中心提供全程代办服务。\n特此告知。"),
    )
    row.full_clean()
    row.save()
    return row


def _accept_notice(world, unit, actor, registrar):
    petition = make_petition(world, actor=registrar)
    return document_issue(
        actor=actor,
        petition=petition,
        kind=KIND,
        issuing_unit=unit,
        context={"accepted_date": petition.received_at.date(), "handling_unit": unit.name},
    )


def test_a_unit_of_the_area_issues_on_its_bureaus_template(world, city, haizhou_template):
    notice = _accept_notice(world, world.town_a, world.handler_a, world.registrar)
    assert notice.title == "海州区信访事项受理告知书"
    assert "海州区诉求服务中心提供全程代办服务。" in notice.body_text
    # The letterhead and the signature are the issuing unit's; the 文号 runs per unit.
    assert notice.context["issuing_unit"] == world.town_a.name
    assert notice.number.startswith(world.town_a.display_short)


def test_other_areas_fall_back_to_the_installations_default(world, city, haizhou_template):
    notice = _accept_notice(world, city.lianyun_town, city.lianyun_handler, city.lianyun_registrar)
    assert notice.title == "受理告知书"
    assert "全程代办" not in notice.body_text
    assert notice.context["issuing_unit"] == "连云街道"
    assert template_for(KIND, city.city_bureau) == template_for(KIND)


def test_a_switched_off_bureau_template_falls_back_too(world, city, haizhou_template):
    haizhou_template.is_active = False
    haizhou_template.save()
    assert template_for(KIND, world.bureau) == template_for(KIND)


def test_one_template_per_kind_and_bureau(world, city, haizhou_template):
    twin = DocumentTemplate(kind=KIND, bureau=world.bureau, title="又一份", body=default_body(KIND))
    with pytest.raises(ValidationError, match="该信访部门已有这一种类的文书模板"):
        twin.full_clean()
    not_a_bureau = DocumentTemplate(kind=KIND, bureau=world.town_a, title="街道", body=default_body(KIND))
    with pytest.raises(ValidationError):
        not_a_bureau.full_clean()


def test_each_issuing_unit_numbers_its_own_documents(world, city):
    take = next_document_number
    city.city_bureau.short_name = "连信访"
    city.city_bureau.save()
    assert take(kind=KIND, unit=world.bureau, year=2026).endswith("〔2026〕1号")
    assert take(kind=KIND, unit=city.city_bureau, year=2026) == "连信访信受告〔2026〕1号"
    assert take(kind=KIND, unit=city.lianyun_bureau, year=2026).endswith("〔2026〕1号")
    assert take(kind=KIND, unit=world.bureau, year=2026).endswith("〔2026〕2号")
