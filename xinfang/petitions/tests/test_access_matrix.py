"""The access matrix (issue 13): every role × every kind of object × every way to reach it.

A small district is built through the real actions: petitions of each class (claim, suggestion,
accusation against a town, against the district government and against a person), one handled by
a community, one a recused matter, a later claim by an accuser (its stored triage names the
accusation), two hearings, the issued documents and attachments.  The expected visibility comes
from the oracle below — the rules of the README and issue 13 written out plainly over parent
links, not by calling petitions.access — and every pair (account, object, way) is checked both
ways: what the oracle hides must not be reachable (404/redirect, and no hidden case number in any
answer), and what it shows must be reachable.  The number of pairs is printed.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.accounts.models import Role
from xinfang.documents.models import IssuedDocument
from xinfang.hearings import actions as hearing_actions
from xinfang.hearings.models import SeatStatus
from xinfang.hearings.tests.helpers import make_roster
from xinfang.petitions import actions as a
from xinfang.petitions.actions.management import attachment_add
from xinfang.petitions.models import Petition, Recusal
from xinfang.petitions.tests.matrix import Matrix, below_or_same, response_text
from xinfang.testing import advance, make_petition, make_user
from xinfang.triage.service import triage_petition
from xinfang.triage.tests.conftest import person

pytestmark = pytest.mark.django_db

ACCUSED_TEXT = "新海街道城管中队工作人员收受朝阳小区商户好处费，对违建不予查处，要求查处。"
BUREAU_ROLES = {"registrar", "bureau_leader", "supervisor", "admin"}
STATS_ROLES = BUREAU_ROLES  # bureau roles see the whole bureau's figures, others their unit's
REGISTER_ROLES = {"registrar", "bureau_leader", "handler", "unit_leader", "admin"}


# ----- the oracle --------------------------------------------------------------------------------
def may_open(user, p, recusals: set) -> bool:
    """Who may open a petition, as the README and issue 13 state it."""
    unit = user.unit
    if not user.is_active or unit is None or user.role == "hearing_member":
        return False  # hearing members reach only their hearings; no unit, no scope
    if (p.pk, user.pk) in recusals:
        return False  # Art. 28③
    if p.petition_class == "accusation":  # Art. 30③
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
    if user.role in BUREAU_ROLES and unit.kind == "bureau":
        return True
    return below_or_same(p.handling_unit, unit) or below_or_same(p.registering_unit, unit)


def may_open_hearing(user, hearing, recusals: set) -> bool:
    if user.role == "hearing_member":
        seated = any(
            s.member.user_id == user.pk and s.status == SeatStatus.SELECTED for s in hearing.seats.all()
        )
        return seated and (hearing.petition_id, user.pk) not in recusals
    return may_open(user, hearing.petition, recusals)


def counted_in_stats(user, p, recusals: set) -> bool:
    """Counted in the user's own dashboard: within its unit scope, and openable."""
    if user.role in STATS_ROLES and user.unit and user.unit.kind == "bureau":
        in_scope = True
    else:
        in_scope = below_or_same(p.handling_unit or p.registering_unit, user.unit)
    return in_scope and may_open(user, p, recusals)


# ----- the fixtures ------------------------------------------------------------------------------
def _world_objects(world):
    district_leader = make_user("district_leader", Role.UNIT_LEADER, world.district, "区政府领导")
    for staff in (world.admin, world.registrar):
        staff.is_staff = staff.is_superuser = True
        staff.save()
    p = {}
    p["claim_town"] = advance(make_petition(world, title="朝阳小区路灯不亮"), world, to="handling")
    p["claim_community"] = make_petition(world, title="社区活动室漏雨")
    a.petition_classify(
        actor=world.registrar, petition=p["claim_community"], petition_class="claim", claim_route=6
    )
    a.petition_transfer(actor=world.registrar, petition=p["claim_community"], unit=world.community_a)
    p["claim_housing"] = make_petition(world, title="安置房质量问题")
    a.petition_classify(
        actor=world.registrar, petition=p["claim_housing"], petition_class="claim", claim_route=6
    )
    a.petition_transfer(actor=world.registrar, petition=p["claim_housing"], unit=world.housing)
    p["suggestion"] = make_petition(world, title="建议增设公交站", petition_class="suggestion")
    accuser = person("钱七")
    p["acc_town"] = make_petition(
        world,
        title="举报新海街道城管违规",
        content=ACCUSED_TEXT,
        petitioners=[accuser],
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
        respondent_person="某某",
    )
    a.petition_transfer(actor=world.registrar, petition=p["acc_town"], unit=world.discipline)
    p["acc_district"] = make_petition(
        world,
        title="举报区政府违规插手工程",
        petition_class="accusation",
        respondent_unit_id=world.district.pk,
    )
    # Routed to the discipline unit (set directly: routing under the accused government is the
    # actions' rule, not access's).
    Petition.objects.filter(pk=p["acc_district"].pk).update(handling_unit=world.discipline, status="routed")
    p["acc_person"] = make_petition(world, title="举报信访局工作人员", petition_class="accusation")
    Petition.objects.filter(pk=p["acc_person"].pk).update(
        respondent_user=world.bureau_leader, handling_unit=world.discipline, status="routed"
    )
    p["recused"] = advance(make_petition(world, title="涉及承办人亲属的纠纷"), world, to="handling")
    p["accuser_claim"] = advance(
        make_petition(world, title="举报新海街道城管违规", content=ACCUSED_TEXT, petitioners=[accuser]),
        world,
        to="routed",
    )
    triage_petition(p["accuser_claim"])
    for who in (world.handler_a, world.admin, world.hearing_member):
        Recusal.objects.create(
            petition=p["recused"], user=who, reason="利害关系", created_by=world.bureau_leader
        )
    members = make_roster(world, 3)
    hearings = []
    for key in ("claim_town", "recused"):
        hearing = hearing_actions.hearing_schedule(
            actor=world.bureau_leader,
            petition=p[key],
            scheduled_at=timezone.now() + timedelta(days=3),
            place="区信访局听证室",
            host=world.bureau_leader,
        )
        hearing_actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
        hearings.append(hearing)
    attachments = [
        attachment_add(
            petition=p[key],
            upload=SimpleUploadedFile("材料.pdf", b"%PDF-1.4 matrix", content_type="application/pdf"),
            actor=world.registrar,
        )
        for key in ("claim_town", "recused", "acc_town", "acc_district")
    ]
    petitions = list(
        Petition.objects.filter(pk__in=[x.pk for x in p.values()]).select_related(
            "handling_unit__parent__parent__parent",
            "registering_unit__parent__parent",
            "respondent_unit",
        )
    )
    personas = [
        getattr(world, name)
        for name in (
            "registrar",
            "bureau_leader",
            "supervisor",
            "admin",
            "handler_a",
            "leader_a",
            "community_handler",
            "handler_b",
            "leader_b",
            "housing_handler",
            "housing_leader",
            "pl_handler",
            "discipline_handler",
            "discipline_leader",
            "hearing_member",
            "outsider",
        )
    ] + [district_leader]
    for user in personas:
        user.refresh_from_db()
    return personas, petitions, p, hearings, attachments


# ----- the matrix --------------------------------------------------------------------------------
def test_access_matrix_has_no_leak_and_no_miss(world, monkeypatch):
    # The download's access check is under test, not the DOCX rendering (tested in documents).
    monkeypatch.setattr(IssuedDocument, "docx", lambda self: b"PK matrix")
    personas, petitions, named, hearings, attachments = _world_objects(world)
    recusals = set(Recusal.objects.values_list("petition_id", "user_id"))
    documents = list(IssuedDocument.objects.filter(petition__in=petitions).select_related("petition"))
    assert len(documents) >= 6
    m = Matrix()
    for user in personas:
        client = Client()
        client.force_login(user)
        opens = {p.pk: may_open(user, p, recusals) for p in petitions}
        # A hearing member reads the case number of their own hearing's matter on the hearing.
        through_hearing = {h.petition_id for h in hearings if may_open_hearing(user, h, recusals)}
        hidden = [p for p in petitions if not opens[p.pk] and p.pk not in through_hearing]
        for p in petitions:
            for way, url in (
                ("page", f"/petitions/{p.pk}/"),
                ("api", f"/api/v1/petitions/{p.pk}"),
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
            found = response_text(search).replace(f'value="{p.case_number}"', "")  # the query echoed back
            m.check("search", user, p, opens[p.pk], search.status_code == 200 and p.case_number in found)
            m.scan("search", user, found, hidden)
        for h in hearings:
            expected = may_open_hearing(user, h, recusals)
            for way, url in (
                ("hearing page", f"/hearings/{h.pk}/"),
                ("hearing api", f"/api/v1/hearings/{h.pk}"),
            ):
                response = client.get(url)
                m.check(way, user, h, expected, response.status_code == 200)
                m.scan(way, user, response_text(response), hidden)
            admin_page = client.get(f"/admin/hearings/hearing/{h.pk}/change/")
            m.check("admin hearing", user, h, expected and user.is_staff, admin_page.status_code == 200)
        for way, url in (("hearing list", "/hearings/"), ("hearing api list", "/api/v1/hearings/")):
            response = client.get(url, follow=True)
            text = response_text(response)
            for h in hearings:
                if way == "hearing list":
                    shown = response.status_code == 200 and f"/hearings/{h.pk}/" in text
                else:
                    shown = response.status_code == 200 and any(x["id"] == h.pk for x in json.loads(text))
                m.check(way, user, h, may_open_hearing(user, h, recusals), shown)
            m.scan(way, user, text, hidden)
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
        for way, url in (
            ("admin list", "/admin/documents/issueddocument/"),
            ("admin alerts", "/admin/alerts/alert/"),
        ):
            m.scan(way, user, response_text(client.get(url)), hidden)
        # The inbox list and its Excel export (every matter the user's inbox holds).
        listing = client.get("/inbox/", {"view": "all"})
        m.scan("inbox", user, response_text(listing), hidden)
        export = client.get("/inbox/export.xlsx", {"view": "all"})
        cells = ""
        if export.status_code == 200:
            book = load_workbook(
                io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)
            )
            cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value)
        for p in petitions:
            m.check("export", user, p, opens[p.pk], p.case_number in cells)
        # Triage while typing: the accuser's history by petitioner id.
        accuser_id = named["acc_town"].petitioner_links.get().petitioner_id
        analyse = client.post(
            "/api/v1/triage/analyse",
            data=json.dumps(
                {"title": "举报新海街道城管违规", "content": ACCUSED_TEXT, "petitioner_ids": [accuser_id]}
            ),
            content_type="application/json",
        )
        history = (
            {h["id"] for h in analyse.json().get("history", [])} if analyse.status_code == 200 else set()
        )
        for key in ("acc_town", "accuser_claim"):
            p = next(x for x in petitions if x.pk == named[key].pk)
            expected = opens[p.pk] and user.role in REGISTER_ROLES
            m.check("triage analyse", user, p, expected, p.pk in history)
        m.scan("triage analyse", user, response_text(analyse), hidden)
        # Statistics: the user's own dashboard counts exactly what it may open in its scope.
        stats = client.get("/api/v1/stats/dashboard")
        expected_count = sum(counted_in_stats(user, p, recusals) for p in petitions)
        got = stats.json()["totals"]["received"] if stats.status_code == 200 else 0
        m.pairs += len(petitions)
        m.by_way["stats"] = m.by_way.get("stats", 0) + len(petitions)
        if got > expected_count:
            m.leaks.append(("stats", user.username, f"{got} > {expected_count}"))
        elif got < expected_count:
            m.misses.append(("stats", user.username, f"{got} < {expected_count}"))
        if stats.status_code == 200:
            respondents = {r["unit"] for r in stats.json()["respondents"]}
            if user.unit and user.unit.name in respondents and user.unit.kind != "bureau":
                m.leaks.append(("stats respondents", user.username, user.unit.name))
    print(
        f"\naccess matrix: {m.pairs} pairs, {len(m.leaks)} leaks, {len(m.misses)} misses; by way: {m.by_way}"
    )
    assert m.leaks == []
    assert m.misses == []
    assert m.pairs > 3000
