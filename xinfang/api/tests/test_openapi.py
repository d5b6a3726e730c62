import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TRANSITIONS = [
    "classify",
    "transfer",
    "assign",
    "object",
    "decide-objection",
    "notify",
    "accept",
    "reject",
    "refuse-final",
    "divert",
    "extend",
    "draft-opinion",
    "return-opinion",
    "approve-opinion",
    "conclude",
    "report",
    "evaluate",
    "request-review",
    "request-rereview",
    "merge",
    "withdraw",
    "reopen",
    "recuse",
    "unrecuse",
    "pause-clock",
    "resume-clock",
    "notes",
    "deliver",
    "send-document",
    "confirm-receipt",
    "raise-dispute",
    "decide-dispute",
    "record-implementation",
    "start-settlement",
    "settle",
    "end-settlement",
]


def test_openapi_document_lists_every_path():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Xinfang API"
    paths = doc["paths"]
    for expected in [
        "/api/v1/petitions",
        "/api/v1/petitions/{petition_id}",
        "/api/v1/petitions/{petition_id}/events",
        "/api/v1/petitions/{petition_id}/deadlines",
        "/api/v1/petitioners/lookup",
        "/api/v1/petitioners/{petitioner_id}/reveal",
        "/api/v1/units",
        "/api/v1/categories",
    ]:
        assert expected in paths
    for name in TRANSITIONS:
        operation = paths[f"/api/v1/petitions/{{petition_id}}/{name}"]["post"]
        assert "requestBody" in operation, name
    intake = paths["/api/v1/petitions"]["post"]
    assert {"200", "201", "400", "401", "403", "409"} <= set(intake["responses"])
    assert set(doc["components"]["schemas"]["ErrorOut"]["properties"]) == {"error", "message", "fields"}
    assert any(p["name"] == "Idempotency-Key" for p in intake["parameters"])
    assert {"BearerAuth", "SessionAuth"} <= set(doc["components"]["securitySchemes"])


def test_outputs_never_declare_plain_personal_data():
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("PetitionerOut", "PetitionDetail", "PetitionerMatch"):
        properties = set(schemas[name]["properties"])
        assert not properties & {"id_number", "phone", "address", "email"}, name


def test_docs_page_loads_nothing_from_the_internet():
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    for asset in re.findall(r"(?:src|href)=\"([^\"]+)\"", html):
        response = client.get(asset)
        assert response.status_code == 200, asset
        b"".join(response.streaming_content)
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404


def test_unknown_path_and_wrong_method_answer_in_our_shape(world):
    assert Client().get("/api/v1/nothing-here").json()["error"] == "not_found"
    response = Client().delete("/api/v1/units")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
