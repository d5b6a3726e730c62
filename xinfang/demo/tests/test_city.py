"""The demo as one city installation (issue 14 §6): 连云港市信访局 over 海州区, 连云区 and
赣榆区, each bureau with its accounts, its own matters and its own case numbers, and
matters the city sent down with the district's own number."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from xinfang.accounts.models import Role, User
from xinfang.demo.generator import Generator
from xinfang.demo.reference import ensure_accounts, ensure_reference
from xinfang.petitions import actions as a
from xinfang.petitions.access import visible_petitions
from xinfang.petitions.actions.moves import case_number_at
from xinfang.petitions.actions.rules import available
from xinfang.petitions.choices import Status
from xinfang.petitions.models import CaseSequence, Custody, CustodyKind, EventAction, Petition, PetitionEvent
from xinfang.units import bureaus
from xinfang.units.models import Unit, UnitKind

pytestmark = pytest.mark.django_db

BUREAU_PREFIXES = {"连云港市信访局": "连", "海州区信访局": "海", "连云区信访局": "连云", "赣榆区信访局": "赣"}
NUMBER = re.compile(r"^(?P<prefix>.+)信〔(?P<year>\d{4})〕(?P<seq>\d{5})号$")


@pytest.fixture
def ref():
    ref = ensure_reference()
    ensure_accounts(ref)
    return ref


@pytest.fixture
def generated(ref):
    Generator(n=1500, seed=14).run()
    return ref


def test_the_named_accounts_work_at_their_bureaus(ref):
    expected = {
        "registrar": "海州区信访局",
        "city_registrar": "连云港市信访局",
        "lianyun_registrar": "连云区信访局",
        "ganyu_registrar": "赣榆区信访局",
    }
    for username, bureau in expected.items():
        user = User.objects.get(username=username)
        assert user.role == Role.REGISTRAR and user.unit.name == bureau, username
        assert user.check_password("xinfang-demo-2026")
    # Every bureau has every bureau role, and handlers and leaders work in every district and the city.
    for bureau in bureaus.all_bureaus():
        roles = set(User.objects.filter(unit=bureau).values_list("role", flat=True))
        assert {Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR, Role.ADMIN} <= roles, bureau.name
    for government in [ref.city, *(d.government for d in ref.districts)]:
        staff = User.objects.filter(unit__parent=government, role__in=[Role.HANDLER, Role.UNIT_LEADER])
        assert set(staff.values_list("role", flat=True)) == {Role.HANDLER, Role.UNIT_LEADER}, government.name
    # The city's layout: its four bureaus, real towns, and district departments answering to the city's.
    assert {b.name: b.case_prefix for b in bureaus.all_bureaus()} == BUREAU_PREFIXES
    assert bureaus.direct_lower_bureaus(ref.city_bureau) == [d.bureau for d in ref.districts]
    assert Unit.objects.get(name="墟沟街道").parent.name == "连云区人民政府"
    assert Unit.objects.get(name="青口镇").parent.name == "赣榆区人民政府"
    housing = Unit.objects.get(name="连云区住房和城乡建设局")
    assert housing.upper_department.name == "市住房和城乡建设局"
    assert Unit.objects.get(code="320706-D01").upper_department.name == "市住房和城乡建设局"
    # Running it again changes nothing (the demo command runs it at every start).
    units, users = Unit.objects.count(), User.objects.count()
    ensure_accounts(ensure_reference())
    assert (Unit.objects.count(), User.objects.count()) == (units, users)


def test_each_bureau_numbers_its_own_matters_without_gaps(generated):
    counts = {}
    for bureau in bureaus.all_bureaus():
        registered = Petition.objects.filter(registering_unit=bureau)
        counts[bureau.name] = registered.count()
        prefixes = {NUMBER.match(n)["prefix"] for n in registered.values_list("case_number", flat=True)}
        assert prefixes == {BUREAU_PREFIXES[bureau.name]}, bureau.name
    assert counts["海州区信访局"] == max(counts.values())
    assert min(counts.values()) > 100, counts
    # One sequence per prefix and year, used by registrations and by arrivals from above.
    numbers = [*Petition.objects.values_list("case_number", flat=True)]
    numbers += Custody.objects.exclude(case_number=None).values_list("case_number", flat=True)
    assert len(numbers) == len(set(numbers))
    taken = defaultdict(list)
    for number in numbers:
        match = NUMBER.match(number)
        taken[(match["prefix"], int(match["year"]))].append(int(match["seq"]))
    sequences = {(s.prefix, s.year): s.last for s in CaseSequence.objects.all()}
    assert sequences.keys() == taken.keys()
    for key, seqs in taken.items():
        assert sorted(seqs) == list(range(1, sequences[key] + 1)), key


def test_the_city_sees_everything_and_a_district_nothing_of_its_sibling(generated):
    total = Petition.objects.count()
    city = User.objects.get(username="city_registrar")
    assert visible_petitions(city).count() == total
    lianyun = User.objects.get(username="lianyun_registrar")
    haizhou_area = bureaus.area_root(User.objects.get(username="registrar").unit).path
    seen = visible_petitions(lianyun)
    assert seen.exists()
    assert not seen.filter(bureau__path__startswith=haizhou_area).exists()
    assert not seen.filter(handling_unit__path__startswith=haizhou_area).exists()
    assert not seen.filter(town__path__startswith=haizhou_area).exists()
    # 海州区 sees its own matters, including those the city sent down, and none of 连云区's.
    haizhou = visible_petitions(User.objects.get(username="registrar"))
    lianyun_area = bureaus.area_root(lianyun.unit).path
    assert haizhou.filter(registering_unit__kind=UnitKind.BUREAU, registering_unit__code="320700-XF").exists()
    assert not haizhou.filter(town__path__startswith=lianyun_area).exists()


def test_the_city_sends_matters_down_with_the_districts_own_number(generated):
    city_bureau = Unit.objects.get(code="320700-XF")
    assigned = Custody.objects.filter(kind=CustodyKind.FROM_ABOVE_ASSIGN, from_unit=city_bureau)
    assert assigned.exists()
    assert Custody.objects.filter(kind=CustodyKind.FROM_ABOVE_TRANSFER, from_unit=city_bureau).exists()
    for row in assigned.select_related("petition", "unit")[:50]:
        petition = row.petition
        assert petition.registering_unit == city_bureau and petition.case_number.startswith("连信〔")
        assert petition.bureau == row.unit and row.unit.kind == UnitKind.BUREAU
        assert row.case_number.startswith(f"{row.unit.case_prefix}信〔")
        assert case_number_at(petition, row.unit.pk) == row.case_number
        assert petition.is_assignment and petition.is_skip_level
        event = PetitionEvent.objects.get(petition=petition, action=EventAction.ASSIGN, unit=city_bureau)
        assert event.data["to_bureau"] and event.data["case_number"] == row.case_number
        assert event.at == row.started_at
    # Reviews leave the former handling unit reading the matter.
    assert Custody.objects.filter(kind=CustodyKind.HANDLED).exists()


def test_the_real_desk_continues_the_generated_numbers_and_moves(generated):
    """After the bulk load the real actions take the next number of each bureau's
    sequence: the city registers a visit about a 海州区 town, 交办 it down, and
    海州区's desk (not the city's) routes it on."""
    from django.utils import timezone

    from xinfang.testing import VALID_ID

    year = timezone.localdate().year
    last = {s.prefix: s.last for s in CaseSequence.objects.filter(year=year)}
    city = User.objects.get(username="city_registrar")
    desk = User.objects.get(username="registrar")
    town = Unit.objects.get(name="新海街道")
    petition = a.petition_register(
        actor=city,
        data=a.PetitionInput(
            channel="visit",
            title="小区物业乱收停车费",
            content="新海街道朝阳小区物业擅自提高停车费，要求退还。",
            town_id=town.pk,
            petitioners=[a.PetitionerInput(name="张三", id_number=VALID_ID, phone="13812345678")],
        ),
    )
    assert petition.case_number == f"连信〔{year}〕{last.get('连', 0) + 1:05d}号"
    a.petition_classify(actor=city, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=city, petition=petition, unit=desk.unit, assign=True, report_days=30)
    petition.refresh_from_db()
    assert petition.bureau == desk.unit
    assert case_number_at(petition, desk.unit.pk) == f"海信〔{year}〕{last.get('海', 0) + 1:05d}号"
    assert "transfer" not in available(city, petition, ["transfer"])
    assert "transfer" in available(desk, petition, ["transfer"])
    a.petition_transfer(actor=desk, petition=petition, unit=town)
    petition.refresh_from_db()
    assert petition.status == Status.ROUTED and petition.handling_unit == town
