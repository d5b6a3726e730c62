"""送达 and Arts. 24, 32, 33 through the API: the actions' rules answer in our error shape."""

from __future__ import annotations

import pytest
from django.utils import timezone

from xinfang.documents.models import Delivery, IssuedDocument
from xinfang.petitions.models import Implementation, Settlement
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db

SUPPORT = {
    "outcome": "support",
    "request": "退还停车费",
    "facts_reasons": "经查收费标准未经备案",
    "findings": "物业公司收费标准未向价格主管部门备案",
    "opinion_text": "责成物业公司退还多收费用",
    "legal_basis": "《物业管理条例》第四十条",
}


def test_art35_delivery_by_post_through_the_api(world, api):
    petition = advance(make_petition(world), world, to="issued")
    path = f"/petitions/{petition.pk}"
    document = IssuedDocument.objects.get(petition=petition, kind="handling_opinion")
    refused = api(world.supervisor).post(
        f"{path}/deliver", {"document_id": document.pk, "method": "direct", "signed_by": "张三"}
    )
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    missing = api(world.handler_a).post(
        f"{path}/send-document", {"document_id": document.pk, "method": "post"}
    )
    assert missing.status_code == 400 and "tracking_number" in missing.json()["fields"]
    sent = api(world.handler_a).post(
        f"{path}/send-document", {"document_id": document.pk, "method": "post", "tracking_number": "EMS9"}
    )
    assert sent.status_code == 200, sent.content
    delivery = Delivery.objects.get(pk=sent.json()["created"]["id"])
    assert delivery.delivered_at is None
    today = timezone.localdate().isoformat()
    done = api(world.handler_a).post(
        f"{path}/confirm-receipt", {"delivery_id": delivery.pk, "at": today, "signed_by": "张三"}
    )
    assert done.status_code == 200, done.content
    deadlines = {d["rule"]: d for d in api(world.handler_a).get(f"{path}/deadlines").json()}
    assert deadlines["review_request"]["start"] == today


def test_art24_dispute_through_the_api(world, api):
    petition = advance(make_petition(world), world, to="routed")
    path = f"/petitions/{petition.pk}"
    raised = api(world.handler_a).post(
        f"{path}/raise-dispute", {"unit_ids": [world.housing.pk], "reason": "属住建部门监管"}
    )
    assert raised.status_code == 200, raised.content
    assert raised.json()["created"]["type"] == "jurisdictiondispute"
    refused = api(world.leader_a).post(
        f"{path}/decide-dispute", {"unit_id": world.town_a.pk, "decision": "x"}
    )
    assert refused.status_code == 403
    decided = api(world.bureau_leader).post(
        f"{path}/decide-dispute", {"unit_id": world.housing.pk, "decision": "由住建局受理"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["petition"]["handling_unit"]["name"] == world.housing.name


def test_art32_implementation_through_the_api(world, api):
    petition = advance(make_petition(world), world, to="handling")
    path = f"/petitions/{petition.pk}"
    assert api(world.handler_a).post(f"{path}/draft-opinion", SUPPORT).status_code == 200
    assert api(world.leader_a).post(f"{path}/approve-opinion", {}).status_code == 200
    refused = api(world.handler_b).post(f"{path}/record-implementation", {"result": "已落实"})
    assert refused.status_code in {403, 404}
    done = api(world.handler_a).post(f"{path}/record-implementation", {"result": "已退还"})
    assert done.status_code == 200, done.content
    assert Implementation.objects.get(petition=petition).done_at is not None


def test_art33_mediation_needs_consent_through_the_api(world, api):
    petition = advance(make_petition(world), world, to="handling")
    path = f"/petitions/{petition.pk}"
    body = {"kind": "mediation", "other_party": "幸福物业公司", "petitioner_consents": True}
    refused = api(world.handler_a).post(f"{path}/start-settlement", {**body, "other_party_consents": False})
    assert refused.status_code == 400 and "other_party_consents" in refused.json()["fields"]
    assert not Settlement.objects.exists()
    started = api(world.handler_a).post(f"{path}/start-settlement", {**body, "other_party_consents": True})
    assert started.status_code == 200, started.content
    settled = api(world.leader_a).post(f"{path}/settle", {"terms": "物业公司退还多收费用"})
    assert settled.status_code == 200, settled.content
    assert settled.json()["petition"]["status"]["value"] == "closed"
    assert IssuedDocument.objects.filter(petition=petition, kind="mediation_agreement").exists()
