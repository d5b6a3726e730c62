"""Detection across levels (issue 14 §4): 越级访 (Art. 20) and 重复访 over the whole installation.

The triage runs over every bureau's petitions (the keyed hashes find a person wherever they
petitioned); what a viewer is shown of it follows petitions.access (the city reads its districts,
sibling districts read nothing of each other's)."""

import pytest

from xinfang.testing import advance, make_city, make_petition
from xinfang.triage.service import record_json, triage_petition

from .conftest import person
from .test_flags import AGAIN, MATTER, MATTER_TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


def _flag(flags, kind):
    return next((f for f in flags if f["kind"] == kind), None)


def test_city_window_visit_about_a_matter_open_in_the_district_is_skip_level_with_its_case(city, world):
    someone = person("周九")
    district_case = advance(
        make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone]), world, to="handling"
    )
    assert district_case.case_number.startswith("海信")
    at_city = make_petition(
        world,
        actor=city.city_registrar,
        title=MATTER_TITLE,
        content=AGAIN,
        petitioners=[someone],
        town_id=world.town_a.pk,
    )
    record = triage_petition(at_city)
    flag = _flag(record.flags, "skip_level")
    assert flag is not None, record.flags
    assert flag["case"] == "visit_over_open_case"
    assert flag["article"] == "《信访工作条例》第二十条第一款"
    assert district_case.case_number in flag["message"] and "新海街道" in flag["message"]
    assert flag["evidence"][0]["petition_id"] == district_case.pk
    # Art. 19③ (a body above may refuse a matter open below) is the repeat flag's wording.
    assert _flag(record.flags, "repeat")["article"] == "《信访工作条例》第十九条第三款"
    at_city.refresh_from_db()
    assert at_city.is_skip_level
    # The city viewer sees the district's case as evidence; so does the district once the city
    # hands the matter down (交办), and a sibling district sees neither.
    shown = record_json(city.city_registrar, at_city)
    evidence = _flag(shown["flags"], "skip_level")["evidence"]
    assert evidence[0]["petition_id"] == district_case.pk
    assert district_case.case_number in _flag(shown["flags"], "skip_level")["message"]
    assert record_json(city.lianyun_registrar, at_city)["flags"] == []


def test_a_visit_one_level_up_while_the_district_handles_is_not_skip_level(city, world):
    someone = person("吴十")
    advance(
        make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone]), world, to="handling"
    )
    again = make_petition(
        world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone], town_id=world.town_a.pk
    )
    assert _flag(triage_petition(again).flags, "skip_level") is None  # the district: one level up


def test_the_same_person_at_two_districts_is_recognised_across_bureaus(city, world):
    someone = person("郑十一", phone="13900001111")
    first = advance(
        make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone]), world, to="handling"
    )
    # The same person (the same ID number, a new Petitioner row at the other bureau's desk).
    again_person = person("郑十一", id_number=someone.id_number)
    second = make_petition(
        world,
        actor=city.lianyun_registrar,
        title=MATTER_TITLE,
        content=AGAIN,
        petitioners=[again_person],
    )
    assert second.bureau_id == city.lianyun_bureau.pk
    record = triage_petition(second)
    assert first.pk in record.history  # the keyed hashes work across bureaus
    flag = _flag(record.flags, "repeat")
    assert flag is not None and flag["evidence"][0]["petition_id"] == first.pk
    # 连云区 is at a higher level than 新海街道 but not above it: no Art. 19③ refusal, no merge
    # across bureaus — the matter is told and sent on to the bureau that holds it.
    assert flag["case"] == "open_elsewhere", flag
    assert flag["article"] == "《信访工作条例》第二十二条第一款"
    assert "海州区信访局" in flag["message"] and flag["action"] is None
    # The city reads both and sees the link; 连云区 sees nothing of 海州区's case.
    city_view = record_json(city.city_leader, second)
    assert first.pk in {h["id"] for h in city_view["history"]}
    assert _flag(city_view["flags"], "repeat")["evidence"][0]["petition_id"] == first.pk
    own_view = record_json(city.lianyun_registrar, second)
    assert own_view["history"] == [] and own_view["flags"] == []
    assert first.case_number not in str(own_view)
