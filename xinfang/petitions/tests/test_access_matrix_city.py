"""The access matrix across levels (issue 14 §2): every role at every level × matters of every kind
at every level × every read path.

One city installation is built through the real actions: 连云港市信访局 above 海州区信访局 and
连云区信访局, with their towns, communities, departments and discipline units.  Its matters are
registered at the city, at each district and at a unit; routed, assigned down (交办), transferred
down (转送), sent up (报送), under review; accusations against a district government, against a
department and against a city department; a recusal.  Each has an issued document, an attachment
(some), an alert and a stored triage result.

The expected visibility comes from the oracle below: the rules of issue 14 §2 written out over
parent links and the recorded custody (which bureaus and units a matter passed through) — a bureau
reads what was registered, held, handled or passed through in its area (the city's area holds its
districts'), sibling bureaus nothing of each other's, a unit what it handles, registered or handled
before a review; the accusation (Art. 30③) and recusal (Art. 28③) rules over all of it.  Every pair
(account, object, path) is checked both ways (a hidden object must not be reached, and no hidden case
number may appear in any answer; a visible one must be reached), and the counts are printed and
carried in the failure message.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from openpyxl import load_workbook

from xinfang.accounts.models import Role
from xinfang.alerts.models import Alert, AlertKind
from xinfang.documents.models import IssuedDocument
from xinfang.petitions import actions as a
from xinfang.petitions.actions.management import attachment_add
from xinfang.petitions.models import Custody, Petition, Recusal
from xinfang.petitions.tests.matrix import Matrix, below_or_same, response_text
from xinfang.testing import advance, make_city, make_petition, make_unit, make_user
from xinfang.triage.service import triage_petition
from xinfang.triage.tests.conftest import person
from xinfang.units.models import UnitKind, UnitLevel

pytestmark = pytest.mark.django_db

BUREAU_ROLES = {"registrar", "bureau_leader", "supervisor", "admin"}
OVERSIGHT = {"supervisor", "bureau_leader"}
REGISTER_ROLES = {"registrar", "bureau_leader", "handler", "unit_leader", "admin"}
SAME_TEXT = "连云港市新海街道朝阳小区鑫源物业擅自提高停车费到每月300元，要求查处并退还多收费用。"


# ----- the oracle --------------------------------------------------------------------------------
@dataclass
class Oracle:
    bureaus: list
    custody: dict  # petition id -> units it passed through (Custody rows)
    recusals: set

    def area(self, bureau):
        """The government whose subtree the bureau answers for; None for the top bureau (every
        other bureau lies inside its government's subtree)."""
        root = bureau.parent or bureau
        if all(below_or_same(b, root) for b in self.bureaus):
            return None
        return root

    def touched(self, p) -> list:
        return [u for u in (p.handling_unit, p.registering_unit, p.bureau) if u] + self.custody.get(p.pk, [])

    def may_open(self, user, p) -> bool:
        unit = user.unit
        if not user.is_active or unit is None or user.role == "hearing_member":
            return False
        bureau_staff = user.role in BUREAU_ROLES and unit.kind == "bureau"
        if (p.pk, user.pk) in self.recusals and not (bureau_staff and user.role in OVERSIGHT):
            return False
        if p.petition_class == "accusation":
            if p.respondent_user_id == user.pk:
                return False
            accused = p.respondent_unit
            if accused is not None and unit == accused:
                return False
            if (
                accused is not None
                and below_or_same(unit, accused)
                and unit.kind not in ("bureau", "discipline")
                and p.handling_unit != unit
            ):
                return False
        if bureau_staff:
            root = self.area(unit)
            return root is None or any(below_or_same(u, root) for u in self.touched(p))
        units = [u for u in (p.handling_unit, p.registering_unit) if u] + self.custody.get(p.pk, [])
        return any(below_or_same(u, unit) for u in units)


class CityMatrix(Matrix):
    def named(self, p, text: str) -> bool:
        return _named(p, text)

    def summary(self) -> str:
        return (
            f"city access matrix: {self.pairs} pairs, {len(self.leaks)} leaks, {len(self.misses)} misses; "
            f"by way: {self.by_way}; first leaks: {self.leaks[:10]}; first misses: {self.misses[:10]}"
        )


def _named(p, text: str) -> bool:
    """Any of the matter's numbers (each bureau's own) appears in ``text``."""
    return any(number in text for number in p.numbers)


# ----- the installation ------------------------------------------------------------------------------
def _installation(world):
    city = make_city(world)
    lianyun_housing = make_unit(
        "连云区住房和城乡建设局",
        "320703-ZJ",
        parent=city.lianyun,
        level=UnitLevel.COUNTY,
        kind=UnitKind.DEPARTMENT,
    )
    lianyun_discipline = make_unit(
        "连云区纪委监委", "320703-JW", parent=city.lianyun, level=UnitLevel.COUNTY, kind=UnitKind.DISCIPLINE
    )
    lianyun_community = make_unit(
        "连云社区",
        "320703-001-01",
        parent=city.lianyun_town,
        level=UnitLevel.COMMUNITY,
        kind=UnitKind.TERRITORIAL,
    )
    extra = {
        "city_admin": make_user("city_admin", Role.ADMIN, city.city_bureau, "市管理员"),
        "city_housing_leader": make_user(
            "city_housing_leader", Role.UNIT_LEADER, city.city_housing, "市住建局长"
        ),
        "city_gov_leader": make_user("city_gov_leader", Role.UNIT_LEADER, world.city, "市政府领导"),
        "district_leader": make_user("district_leader", Role.UNIT_LEADER, world.district, "区政府领导"),
        "lianyun_supervisor": make_user(
            "lianyun_supervisor", Role.SUPERVISOR, city.lianyun_bureau, "连云督查"
        ),
        "lianyun_admin": make_user("lianyun_admin", Role.ADMIN, city.lianyun_bureau, "连云管理员"),
        "lianyun_town_leader": make_user(
            "lianyun_town_leader", Role.UNIT_LEADER, city.lianyun_town, "连云街道主任"
        ),
        "lianyun_community_handler": make_user(
            "lianyun_community_handler", Role.HANDLER, lianyun_community, "连云社区承办人"
        ),
        "lianyun_housing_handler": make_user(
            "lianyun_housing_handler", Role.HANDLER, lianyun_housing, "连云住建"
        ),
        "lianyun_discipline_handler": make_user(
            "lianyun_discipline_handler", Role.HANDLER, lianyun_discipline, "连云纪委承办人"
        ),
        "lianyun_gov_leader": make_user(
            "lianyun_gov_leader", Role.UNIT_LEADER, city.lianyun, "连云区政府领导"
        ),
    }
    for staff in (
        world.admin,
        world.registrar,
        extra["city_admin"],
        city.city_registrar,
        extra["lianyun_admin"],
    ):
        staff.is_staff = staff.is_superuser = True
        staff.save()
    reg, creg, lreg = world.registrar, city.city_registrar, city.lianyun_registrar
    accuser = person("钱七")
    p = {}

    def classify(actor, petition):
        a.petition_classify(actor=actor, petition=petition, petition_class="claim", claim_route=6)

    # 海州区: routed and handled, a community, a department, accusations, a recusal, a review.
    p["h_town"] = advance(make_petition(world, title="朝阳小区路灯不亮"), world, to="handling")
    p["h_community"] = make_petition(world, title="社区活动室漏雨")
    classify(reg, p["h_community"])
    a.petition_transfer(actor=reg, petition=p["h_community"], unit=world.community_a)
    p["h_dept"] = make_petition(world, title="安置房质量问题")
    classify(reg, p["h_dept"])
    a.petition_transfer(actor=reg, petition=p["h_dept"], unit=world.housing)
    p["h_acc_gov"] = make_petition(
        world,
        title="举报区政府违规插手工程",
        petition_class="accusation",
        respondent_unit_id=world.district.pk,
    )
    Petition.objects.filter(pk=p["h_acc_gov"].pk).update(handling_unit=world.discipline, status="routed")
    p["h_acc_dept"] = make_petition(
        world,
        title="举报区住建局违规审批",
        petitioners=[accuser],
        petition_class="accusation",
        respondent_unit_id=world.housing.pk,
    )
    a.petition_transfer(actor=reg, petition=p["h_acc_dept"], unit=world.discipline)
    p["h_recused"] = advance(make_petition(world, title="涉及承办人亲属的纠纷"), world, to="handling")
    p["h_review"] = advance(make_petition(world, title="征收补偿不服申请复查"), world, to="review")
    p["h_unit_registered"] = make_petition(world, actor=world.handler_a, title="街道窗口登记的噪声投诉")
    # The city: its own desk, a city department, 交办 and 转送 down, a matter sent up, an accusation.
    p["c_desk"] = make_petition(world, actor=creg, title="市级窗口登记事项")
    p["c_dept"] = make_petition(world, actor=creg, title="市区道路积水", content=SAME_TEXT)
    classify(creg, p["c_dept"])
    a.petition_transfer(actor=creg, petition=p["c_dept"], unit=city.city_housing)
    p["c_assigned"] = make_petition(world, actor=creg, title="交办海州区的物业纠纷")
    classify(creg, p["c_assigned"])
    a.petition_transfer(actor=creg, petition=p["c_assigned"], unit=world.bureau, assign=True, report_days=30)
    a.petition_transfer(actor=reg, petition=p["c_assigned"], unit=world.town_a)
    p["c_to_lianyun"] = make_petition(world, actor=creg, title="转送连云区的渔港纠纷")
    classify(creg, p["c_to_lianyun"])
    a.petition_transfer(actor=creg, petition=p["c_to_lianyun"], unit=city.lianyun_bureau)
    p["c_acc_dept"] = make_petition(
        world,
        actor=creg,
        title="举报市住建局工作人员",
        petition_class="accusation",
        respondent_unit_id=city.city_housing.pk,
    )
    # 连云区: routed to its town, sent up to the city, an accusation against its government.
    p["l_town"] = make_petition(world, actor=lreg, title="连云街道渔港噪声")
    classify(lreg, p["l_town"])
    a.petition_transfer(actor=lreg, petition=p["l_town"], unit=city.lianyun_town)
    p["l_sent_up"] = make_petition(world, actor=lreg, title="涉及市级部门职权的事项")
    a.petition_send_up(actor=lreg, petition=p["l_sent_up"], reason="涉及市级部门职权")
    p["l_acc_gov"] = make_petition(
        world,
        actor=lreg,
        title="举报连云区政府违规",
        petition_class="accusation",
        respondent_unit_id=city.lianyun.pk,
    )
    Petition.objects.filter(pk=p["l_acc_gov"].pk).update(handling_unit=lianyun_discipline, status="routed")
    p["l_dept"] = make_petition(world, actor=lreg, title="连云区安置房渗水")
    classify(lreg, p["l_dept"])
    a.petition_transfer(actor=lreg, petition=p["l_dept"], unit=lianyun_housing)
    # The accuser comes back at 连云区 with the same matter: the stored triage names the accusation.
    p["l_accuser_claim"] = make_petition(
        world, actor=lreg, title="举报区住建局违规审批", content=SAME_TEXT, petitioners=[accuser]
    )
    triage_petition(p["l_accuser_claim"])
    triage_petition(p["c_dept"])
    for who in (world.handler_a, world.admin, world.hearing_member, world.supervisor):
        Recusal.objects.create(
            petition=p["h_recused"], user=who, reason="利害关系", created_by=world.bureau_leader
        )
    Recusal.objects.create(
        petition=p["l_town"],
        user=extra["lianyun_town_leader"],
        reason="利害关系",
        created_by=city.lianyun_leader,
    )
    attachments = [
        attachment_add(
            petition=p[key],
            upload=SimpleUploadedFile("材料.pdf", b"%PDF-1.4 matrix", content_type="application/pdf"),
            actor=actor,
        )
        for key, actor in (("h_town", reg), ("c_desk", creg), ("l_town", lreg), ("h_acc_gov", reg))
    ]
    alerts = []
    for key, petition in p.items():
        petition.refresh_from_db()
        alerts.append(
            Alert.objects.create(
                kind=AlertKind.URGENT,
                title=f"紧急事项 {petition.case_number}",
                dedupe_key=f"matrix:{key}",
                unit=petition.handling_unit or petition.bureau,
                petition=petition,
            )
        )
    petitions = list(
        Petition.objects.filter(pk__in=[x.pk for x in p.values()]).select_related(
            "handling_unit__parent__parent__parent__parent",
            "registering_unit__parent__parent__parent",
            "bureau__parent__parent",
            "respondent_unit",
        )
    )
    for petition in petitions:
        numbers = [
            petition.case_number,
            *Custody.objects.filter(petition=petition).values_list("case_number", flat=True),
        ]
        petition.numbers = [n for n in numbers if n]  # every bureau's own number for the matter
    world_names = (
        "registrar bureau_leader supervisor admin handler_a leader_a community_handler handler_b leader_b "
        "housing_handler housing_leader pl_handler discipline_handler discipline_leader hearing_member outsider"
    ).split()
    city_names = (
        "city_registrar city_leader city_supervisor city_housing_handler lianyun_registrar lianyun_leader "
        "lianyun_handler"
    ).split()
    personas = (
        [getattr(world, n) for n in world_names]
        + [getattr(city, n) for n in city_names]
        + list(extra.values())
    )
    for user in personas:
        user.refresh_from_db()
    return city, personas, petitions, p, attachments, alerts


def _inbox_pks(client, url: str) -> set[int]:
    """The petitions of an inbox list, every page of it."""
    found = set()
    while url:
        response = client.get(url)
        if response.status_code != 200:
            return found
        found |= {row.pk for row in response.context["rows"]}
        url = "/inbox/" + response.context["next_url"] if response.context["next_url"] else ""
    return found


def _export_cells(response) -> str:
    if response.status_code != 200:
        return ""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(body))
    return " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value)


# ----- the matrix --------------------------------------------------------------------------------
def test_access_matrix_across_levels_has_no_leak_and_no_miss(world, monkeypatch):
    monkeypatch.setattr(IssuedDocument, "docx", lambda self: b"PK matrix")
    city, personas, petitions, named, attachments, alerts = _installation(world)
    from xinfang.units.models import Unit

    oracle = Oracle(
        bureaus=list(Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True)),
        custody={},
        recusals=set(Recusal.objects.values_list("petition_id", "user_id")),
    )
    for row in Custody.objects.select_related("unit__parent__parent__parent"):
        oracle.custody.setdefault(row.petition_id, []).append(row.unit)
    documents = list(IssuedDocument.objects.filter(petition__in=petitions).select_related("petition"))
    assert len(documents) >= 5
    by_pk = {p.pk: p for p in petitions}
    accuser = named["h_acc_dept"].petitioner_links.get().petitioner
    accuser_id_number = accuser._decrypt("id_number")
    accuser_matters = [named["h_acc_dept"].pk, named["l_accuser_claim"].pk]
    m = CityMatrix()
    for user in personas:
        client = Client()
        client.force_login(user)
        opens = {p.pk: oracle.may_open(user, p) for p in petitions}
        hidden = [p for p in petitions if not opens[p.pk]]
        for p in petitions:
            for way, url in (
                ("page", f"/petitions/{p.pk}/"),
                ("api", f"/api/v1/petitions/{p.pk}"),
                ("events api", f"/api/v1/petitions/{p.pk}/events"),
                ("triage api", f"/api/v1/triage/petitions/{p.pk}"),
            ):
                response = client.get(url)
                reached = response.status_code == 200 or (
                    way.startswith("triage")
                    and response.status_code == 404
                    and "尚无研判" in response_text(response)
                )
                m.check(way, user, p, opens[p.pk], reached)
                m.scan(way, user, response_text(response), hidden)
            search = client.get("/inbox/", {"q": p.case_number, "view": "all"})
            found = response_text(search).replace(f'value="{p.case_number}"', "")
            m.check("search", user, p, opens[p.pk], search.status_code == 200 and p.case_number in found)
            m.scan("search", user, found, hidden)
        for d in documents:
            expected = opens[d.petition_id]
            m.check(
                "document", user, d.number, expected, client.get(f"/documents/{d.pk}.docx").status_code == 200
            )
            admin_page = client.get(f"/admin/documents/issueddocument/{d.pk}/change/")
            m.check(
                "admin document", user, d.number, expected and user.is_staff, admin_page.status_code == 200
            )
            m.scan("admin document", user, response_text(admin_page), hidden)
        for att in attachments:
            response = client.get(f"/petitions/{att.petition_id}/attachments/{att.pk}/")
            m.check("attachment", user, att.pk, opens[att.petition_id], response.status_code == 200)
        for alert in alerts:
            response = client.get(f"/alerts/{alert.pk}/")
            # An alert about a petition: a bureau's staff see it when they may open the petition,
            # a unit's staff when it is about their unit too; no hidden matter's number is shown.
            if response.status_code == 200:
                m.scan("alert", user, response_text(response), hidden)
            if user.role in BUREAU_ROLES and user.unit and user.unit.kind == "bureau":
                m.check("alert", user, alert.pk, opens[alert.petition_id], response.status_code == 200)
            else:  # unit staff: the alerts about their units' matters that they may open
                expected = below_or_same(alert.unit, user.unit) and opens[alert.petition_id]
                m.check("alert", user, alert.pk, expected, response.status_code == 200)
        for way, url in (
            ("inbox", "/inbox/?view=all"),
            ("inbox by number", "/inbox/?view=all&sort=case_number"),
            ("inbox by number, descending", "/inbox/?view=all&sort=-case_number"),
            ("alert list", "/alerts/"),
            ("overdue", "/alerts/overdue/"),
            ("api list", "/api/v1/petitions?limit=200"),
            ("admin documents", "/admin/documents/issueddocument/"),
            ("admin alerts", "/admin/alerts/alert/"),
            ("hearing list", "/hearings/"),
            ("notices", "/alerts/notices/"),
            ("commitments", "/commitments/"),
            ("backlog", "/ownership/backlog/"),
            ("supervision", "/supervision/"),
            ("proposals", "/supervision/proposals/"),
            ("ownership", "/ownership/"),
            ("followups", "/commitments/followups/"),
            ("accountability", "/commitments/accountability/"),
            ("stats page", "/stats/"),
        ):
            response = client.get(url, follow=True)
            m.scan(way, user, response_text(response), hidden)
        api_list = client.get("/api/v1/petitions", {"limit": 200})
        listed = {x["id"] for x in api_list.json().get("items", [])} if api_list.status_code == 200 else set()
        for p in petitions:
            m.check("api list", user, p, opens[p.pk], p.pk in listed)
        for sort in ("case_number", "-case_number") if connection.vendor == "postgresql" else ():
            # Merged from the scope's parts (PostgreSQL only).
            listed = _inbox_pks(client, f"/inbox/?view=all&sort={sort}")
            for p in petitions:
                m.check(f"inbox by {sort}", user, p, opens[p.pk], p.pk in listed)
        cells = _export_cells(client.get("/inbox/export.xlsx", {"view": "all"}))
        for p in petitions:
            m.check("export", user, p, opens[p.pk], p.case_number in cells)
        # Triage while typing: the accuser's history, the same matter's similar and flags.
        accuser_id = named["h_acc_dept"].petitioner_links.get().petitioner_id
        analyse = client.post(
            "/api/v1/triage/analyse",
            data=json.dumps(
                {"title": "举报区住建局违规审批", "content": SAME_TEXT, "petitioner_ids": [accuser_id]}
            ),
            content_type="application/json",
        )
        history = (
            {h["id"] for h in analyse.json().get("history", [])} if analyse.status_code == 200 else set()
        )
        for key in ("h_acc_dept", "l_accuser_claim"):
            p = by_pk[named[key].pk]
            m.check("triage analyse", user, p, opens[p.pk] and user.role in REGISTER_ROLES, p.pk in history)
        m.scan("triage analyse", user, response_text(analyse), hidden)
        # The petitioner lookup by ID number: the person only for whoever may open one of their
        # matters (the top bureau: anyone), and of their matters only those the user may open.
        lookup = client.get("/api/v1/petitioners/lookup", {"id_number": accuser_id_number})
        items = lookup.json().get("items", []) if lookup.status_code == 200 else []
        shown = {x["id"] for item in items for x in item["petitions"]}
        for pk in accuser_matters:
            m.check("petitioner lookup", user, by_pk[pk], opens[pk], pk in shown)
        top = (
            user.role in BUREAU_ROLES
            and user.unit
            and user.unit.kind == "bureau"
            and not oracle.area(user.unit)
        )
        expected = bool(top) or any(opens[pk] for pk in accuser_matters)
        m.check("petitioner lookup (person)", user, "钱七", expected, bool(items))
        m.scan("petitioner lookup", user, response_text(lookup), hidden)
        # Statistics: the own dashboard never counts more than the user may open.
        stats = client.get("/api/v1/stats/dashboard")
        if stats.status_code == 200:
            got = stats.json()["totals"]["received"]
            bound = sum(opens.values())
            m.pairs += len(petitions)
            m.by_way["stats"] = m.by_way.get("stats", 0) + len(petitions)
            if got > bound:
                m.leaks.append(("stats", user.username, f"{got} > {bound}"))
    print("\n" + m.summary())
    assert m.leaks == [], m.summary()
    assert m.misses == [], m.summary()
    assert m.pairs > 10000, m.summary()


def test_looking_up_by_id_sees_exactly_what_the_lists_see(world):
    """visible_petitions(by_id=True) states the custody branch as EXISTS (a probe per petition)
    and lists as IN (one hash of the area's custody rows): the same petitions either way, for
    every persona of the installation, custody and accusations included."""
    from xinfang.petitions.access import visible_petitions

    _city, personas, petitions, _named, _attachments, _alerts = _installation(world)
    assert Custody.objects.exists()
    ids = [p.pk for p in petitions]
    for user in personas:
        listed = set(visible_petitions(user).filter(pk__in=ids).values_list("pk", flat=True))
        probed = set(visible_petitions(user, by_id=True).filter(pk__in=ids).values_list("pk", flat=True))
        assert probed == listed, user.username


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lists are merged on PostgreSQL only")
def test_the_scope_parts_make_up_exactly_the_visible_set(world):
    """visible_parts (the lists sorted by case number and a unit's searches merge their first rows,
    on PostgreSQL): for every persona, per column or unit by unit, the parts' union is exactly what
    visible_petitions holds, and no part holds anything else; the top bureau has no parts."""
    from django.db.models import Q

    from xinfang.accounts.models import User
    from xinfang.petitions.access import visible_parts, visible_petitions

    _city, personas, petitions, _named, _attachments, _alerts = _installation(world)
    ids = [p.pk for p in petitions]
    # Custody rows, written by the moves (down, up, a review above), carry their matter's number:
    # the per-unit custody walk is in that order.
    kinds = set()
    for row in Custody.objects.select_related("petition"):
        assert row.petition_number == row.petition.case_number, row
        kinds.add(row.kind)
    assert kinds >= {"from_above_transfer", "from_above_assign", "from_below", "handled"}, kinds

    def pks(qs) -> set[int]:
        return set(qs.filter(pk__in=ids).values_list("pk", flat=True))

    for persona in personas:
        user = User.objects.get(pk=persona.pk)
        visible = pks(visible_petitions(user))
        parts = visible_parts(user)
        if parts is None:
            assert user.is_bureau_staff and user.unit.name == "连云港市信访局", user.username
            continue
        by_column = set().union(*(pks(qs) for qs in parts.querysets()))
        by_unit = set().union(
            *(
                pks(parts.restricted(Q(**{column: unit})))
                for column, units in parts.columns
                for unit in units
            ),
            *(pks(parts.restricted(Q(custody__unit_id=unit))) for unit in parts.custody_units),
            *(pks(qs) for qs in parts.others),
        )
        assert by_column == visible, user.username
        assert by_unit == visible, user.username
