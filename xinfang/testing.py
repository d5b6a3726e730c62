"""Shared test fixtures: a small district and one persona per role.

    city (连云港市人民政府, leadership) — answers re-reviews
    district (海州区人民政府, leadership) — answers reviews
    ├── bureau (海州区信访局)            registrar, bureau_leader, supervisor, admin
    ├── town_a (新海街道, territorial)   handler_a, leader_a
    │   └── community_a (朝阳社区)       community_handler
    ├── town_b (幸福路街道)              handler_b, leader_b
    ├── housing (区住房和城乡建设局)      housing_handler, housing_leader
    ├── political_legal (区委政法委)     pl_handler
    └── discipline (区纪委监委)          discipline_handler, discipline_leader
    outsider: an active account with no unit; hearing_member: a panel member.

Use `make_world()` in a test (or the `world` fixture from conftest.py) and
`make_petition(world, ...)` to register petitions through the real action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.units.models import Category, Unit, UnitKind, UnitLevel

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    city: Unit
    district: Unit
    bureau: Unit
    town_a: Unit
    community_a: Unit
    town_b: Unit
    housing: Unit
    political_legal: Unit
    discipline: Unit
    category: Category
    subcategory: Category
    registrar: User
    bureau_leader: User
    supervisor: User
    admin: User
    handler_a: User
    leader_a: User
    community_handler: User
    handler_b: User
    leader_b: User
    housing_handler: User
    housing_leader: User
    pl_handler: User
    discipline_handler: User
    discipline_leader: User
    hearing_member: User
    outsider: User


def make_unit(
    name: str, code: str, *, parent: Unit | None, level: str, kind: str, keywords: str = ""
) -> Unit:
    return Unit.objects.create(
        name=name,
        short_name=name[:4],
        code=code,
        parent=parent,
        level=level,
        kind=kind,
        keywords=keywords,
        phone="0518-85800000",
        address=f"{name}办公地址",
    )


def make_user(username: str, role: str, unit: Unit | None, full_name: str = "") -> User:
    user = User(username=username, role=role, unit=unit, full_name=full_name or username)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_world() -> World:
    city = make_unit(
        "连云港市人民政府", "320700", parent=None, level=UnitLevel.CITY, kind=UnitKind.LEADERSHIP
    )
    district = make_unit(
        "海州区人民政府", "320706", parent=city, level=UnitLevel.COUNTY, kind=UnitKind.LEADERSHIP
    )
    bureau = make_unit(
        "海州区信访局", "320706-XF", parent=district, level=UnitLevel.COUNTY, kind=UnitKind.BUREAU
    )
    town_a = make_unit(
        "新海街道",
        "320706-001",
        parent=district,
        level=UnitLevel.TOWN,
        kind=UnitKind.TERRITORIAL,
        keywords="新海 朝阳",
    )
    community_a = make_unit(
        "朝阳社区", "320706-001-01", parent=town_a, level=UnitLevel.COMMUNITY, kind=UnitKind.TERRITORIAL
    )
    town_b = make_unit(
        "幸福路街道",
        "320706-002",
        parent=district,
        level=UnitLevel.TOWN,
        kind=UnitKind.TERRITORIAL,
        keywords="幸福路",
    )
    housing = make_unit(
        "区住房和城乡建设局",
        "320706-ZJ",
        parent=district,
        level=UnitLevel.COUNTY,
        kind=UnitKind.DEPARTMENT,
        keywords="物业 房屋 拆迁",
    )
    political_legal = make_unit(
        "区委政法委", "320706-ZF", parent=district, level=UnitLevel.COUNTY, kind=UnitKind.POLITICAL_LEGAL
    )
    discipline = make_unit(
        "区纪委监委", "320706-JW", parent=district, level=UnitLevel.COUNTY, kind=UnitKind.DISCIPLINE
    )
    category = Category.objects.create(name="城乡建设", code="01")
    subcategory = Category.objects.create(name="物业管理", code="0101", parent=category)
    return World(
        city=city,
        district=district,
        bureau=bureau,
        town_a=town_a,
        community_a=community_a,
        town_b=town_b,
        housing=housing,
        political_legal=political_legal,
        discipline=discipline,
        category=category,
        subcategory=subcategory,
        registrar=make_user("registrar", Role.REGISTRAR, bureau, "登记员小王"),
        bureau_leader=make_user("bureau_leader", Role.BUREAU_LEADER, bureau, "李局长"),
        supervisor=make_user("supervisor", Role.SUPERVISOR, bureau, "督查专员"),
        admin=make_user("admin", Role.ADMIN, bureau, "管理员"),
        handler_a=make_user("handler_a", Role.HANDLER, town_a, "新海承办人"),
        leader_a=make_user("leader_a", Role.UNIT_LEADER, town_a, "新海街道负责人"),
        community_handler=make_user("community_handler", Role.HANDLER, community_a, "社区承办人"),
        handler_b=make_user("handler_b", Role.HANDLER, town_b, "幸福路承办人"),
        leader_b=make_user("leader_b", Role.UNIT_LEADER, town_b, "幸福路负责人"),
        housing_handler=make_user("housing_handler", Role.HANDLER, housing, "住建承办人"),
        housing_leader=make_user("housing_leader", Role.UNIT_LEADER, housing, "住建负责人"),
        pl_handler=make_user("pl_handler", Role.HANDLER, political_legal, "政法委承办人"),
        discipline_handler=make_user("discipline_handler", Role.HANDLER, discipline, "纪委承办人"),
        discipline_leader=make_user("discipline_leader", Role.UNIT_LEADER, discipline, "纪委负责人"),
        hearing_member=make_user("hearing_member", Role.HEARING_MEMBER, None, "听证员"),
        outsider=make_user("outsider", Role.HANDLER, None, "无单位人员"),
    )


@dataclass
class City:
    """A city installation on top of `make_world()` (issue 14):

    city (连云港市人民政府)
    ├── city_bureau (连云港市信访局, prefix 连)   city_registrar, city_leader, city_supervisor
    ├── city_housing (市住房和城乡建设局)        city_housing_handler
    ├── district (海州区人民政府) … the World, its bureau with prefix 海
    └── lianyun (连云区人民政府)
        ├── lianyun_bureau (连云区信访局, prefix 连云)  lianyun_registrar, lianyun_leader
        └── lianyun_town (连云街道)                  lianyun_handler
    """

    world: World
    city_bureau: Unit
    city_housing: Unit
    lianyun: Unit
    lianyun_bureau: Unit
    lianyun_town: Unit
    city_registrar: User
    city_leader: User
    city_supervisor: User
    city_housing_handler: User
    lianyun_registrar: User
    lianyun_leader: User
    lianyun_handler: User


def make_city(world: World) -> City:
    world.bureau.case_prefix = "海"
    world.bureau.save()
    city = world.city
    city_bureau = make_unit(
        "连云港市信访局", "320700-XF", parent=city, level=UnitLevel.CITY, kind=UnitKind.BUREAU
    )
    city_bureau.case_prefix = "连"
    city_bureau.save()
    city_housing = make_unit(
        "市住房和城乡建设局", "320700-ZJ", parent=city, level=UnitLevel.CITY, kind=UnitKind.DEPARTMENT
    )
    lianyun = make_unit(
        "连云区人民政府", "320703", parent=city, level=UnitLevel.COUNTY, kind=UnitKind.LEADERSHIP
    )
    lianyun_bureau = make_unit(
        "连云区信访局", "320703-XF", parent=lianyun, level=UnitLevel.COUNTY, kind=UnitKind.BUREAU
    )
    lianyun_bureau.case_prefix = "连云"
    lianyun_bureau.save()
    lianyun_town = make_unit(
        "连云街道", "320703-001", parent=lianyun, level=UnitLevel.TOWN, kind=UnitKind.TERRITORIAL
    )
    return City(
        world=world,
        city_bureau=city_bureau,
        city_housing=city_housing,
        lianyun=lianyun,
        lianyun_bureau=lianyun_bureau,
        lianyun_town=lianyun_town,
        city_registrar=make_user("city_registrar", Role.REGISTRAR, city_bureau, "市登记员"),
        city_leader=make_user("city_leader", Role.BUREAU_LEADER, city_bureau, "市局长"),
        city_supervisor=make_user("city_supervisor", Role.SUPERVISOR, city_bureau, "市督查"),
        city_housing_handler=make_user("city_housing_handler", Role.HANDLER, city_housing, "市住建承办人"),
        lianyun_registrar=make_user("lianyun_registrar", Role.REGISTRAR, lianyun_bureau, "连云登记员"),
        lianyun_leader=make_user("lianyun_leader", Role.BUREAU_LEADER, lianyun_bureau, "连云局长"),
        lianyun_handler=make_user("lianyun_handler", Role.HANDLER, lianyun_town, "连云街道承办人"),
    )


VALID_ID = "320706198001011236"  # a valid check digit (GB 11643)


def make_petition(
    world: World,
    *,
    actor=None,
    title: str = "小区物业乱收停车费",
    content: str = "我是朝阳小区业主，物业公司擅自提高停车费，要求依法查处并退还多收费用。",
    channel: str = "visit",
    petitioners=None,
    received_at: datetime | None = None,
    **fields,
):
    from xinfang.petitions.actions import PetitionerInput, PetitionInput, petition_register

    if petitioners is None:
        petitioners = [
            PetitionerInput(
                name="张三", id_number=VALID_ID, phone="13812345678", address="新海街道朝阳小区3栋"
            )
        ]
    data = PetitionInput(
        channel=channel,
        title=title,
        content=content,
        petitioners=petitioners,
        received_at=received_at or timezone.now(),
        **fields,
    )
    return petition_register(actor=actor or world.registrar, data=data)


def advance(petition, world: World, *, to: str):
    """Walk a petition through the real actions up to the named point:
    'routed', 'handling', 'drafted', 'issued', 'review', 'review_issued', 'rereview', 'final'."""
    from xinfang.petitions import actions as a

    steps = [
        "routed",
        "handling",
        "drafted",
        "issued",
        "review",
        "review_drafted",
        "review_issued",
        "rereview",
        "rereview_drafted",
        "final",
    ]
    opinion = {
        "outcome": "not_support",
        "request": "退还停车费",
        "facts_reasons": "物业公司擅自提高停车费",
        "findings": "经查收费符合备案标准",
        "opinion_text": "不予支持",
        "legal_basis": "《物业管理条例》第四十条",
    }
    petition.refresh_from_db()
    position = {
        ("registered", "initial"): "routed",
        ("routed", "initial"): "handling",
        ("handling", "initial"): "drafted",
        ("opinion_drafted", "initial"): "issued",
        ("opinion_issued", "initial"): "review",
        ("handling", "review"): "review_drafted",
        ("opinion_drafted", "review"): "review_issued",
        ("opinion_issued", "review"): "rereview",
        ("handling", "rereview"): "rereview_drafted",
        ("opinion_drafted", "rereview"): "final",
    }.get((petition.status, petition.stage))
    if position is None or steps.index(position) > steps.index(to):
        return petition
    for step in steps[steps.index(position) : steps.index(to) + 1]:
        petition.refresh_from_db()
        if step == "routed":
            if not petition.petition_class:
                a.petition_classify(
                    actor=world.registrar, petition=petition, petition_class="claim", claim_route=6
                )
            a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
        elif step == "handling":
            a.petition_accept(actor=world.handler_a, petition=petition)
        elif step in {"drafted", "review_drafted", "rereview_drafted"}:
            handler = {"drafted": world.handler_a, "review_drafted": None, "rereview_drafted": None}[step]
            handler = handler or _any_handler_of(petition.handling_unit)
            a.petition_draft_opinion(actor=handler, petition=petition, **opinion)
        elif step in {"issued", "review_issued", "final"}:
            a.petition_approve_opinion(actor=_leader_of(petition.handling_unit), petition=petition)
        elif step == "review":
            deliver_opinion(petition, world)
            a.petition_request_review(petition=petition, reason="对处理意见不服")
        elif step == "rereview":
            deliver_opinion(petition, world)
            a.petition_request_rereview(petition=petition, reason="对复查意见不服")
    petition.refresh_from_db()
    return petition


def hold_rereview_hearing(world, petition, held_on=None):
    """Schedule and hold a hearing on a re-review in handling (three members)."""
    from datetime import timedelta

    from xinfang.hearings import actions as h

    n = h.HearingMember.objects.count()
    members = [
        h.member_save(actor=world.registrar, name=f"听证员{n + i}", kind="lawyer", phone=f"139{n + i:08d}")
        for i in range(3)
    ]
    hearing = h.hearing_schedule(
        actor=world.bureau_leader,
        petition=petition,
        scheduled_at=timezone.now() + timedelta(days=1),
        place="区信访局听证室",
        host=world.bureau_leader,
    )
    h.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    h.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=held_on or timezone.localdate())
    hearing.refresh_from_db()
    return hearing


def deliver_opinion(petition, world: World, *, at=None):
    """Record the direct delivery of the current stage's opinion (the review window
    starts at receipt, Arts. 35–36); returns the Delivery, or None when already delivered."""
    from xinfang.documents.delivery import WINDOWS, document_deliver

    document = petition.documents.filter(kind__in=list(WINDOWS)).order_by("-issued_at", "-pk").first()
    if document is None or document.delivered_at is not None:
        return None
    return document_deliver(
        actor=world.registrar, petition=petition, document=document, method="direct", at=at, signed_by="张三"
    )


def _leader_of(unit: Unit) -> User:
    user = User.objects.filter(unit=unit, role=Role.UNIT_LEADER).first()
    return user or make_user(f"leader_{unit.pk}", Role.UNIT_LEADER, unit)


def _any_handler_of(unit: Unit) -> User:
    user = User.objects.filter(unit=unit, role=Role.HANDLER).first()
    return user or make_user(f"handler_{unit.pk}", Role.HANDLER, unit)
