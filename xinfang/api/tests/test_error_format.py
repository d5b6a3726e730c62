"""No server errors for out-of-range input, and every /api/v1/ reply in the
JSON error format (issue 13, finding 15)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from xinfang.api import urls as api_urls

from .conftest import intake_body

pytestmark = pytest.mark.django_db


def assert_error_format(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error", "message", "fields"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body
    if code:
        assert body["error"] == code
    return body


@pytest.mark.parametrize("year", [0, 1, 99999])
def test_supervision_summary_of_an_impossible_year_is_400(world, api, year):
    assert_error_format(api(world.registrar).get(f"/supervision/summary/{year}"), 400, "invalid")


def test_reception_session_with_a_huge_staff_id_is_400(world, api):
    body = {"date": "2026-03-02", "staff_ids": [10**30]}
    response = api(world.registrar).post("/reception/sessions", body)
    assert "staff_ids.0" in assert_error_format(response, 400, "invalid")["fields"]


def test_triage_analyse_with_a_huge_petitioner_id_is_400(world, api):
    body = {"title": "路灯不亮", "content": "路灯坏了三个月", "petitioner_ids": [10**30]}
    response = api(world.registrar).post("/triage/analyse", body)
    assert "petitioner_ids.0" in assert_error_format(response, 400, "invalid")["fields"]


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00", "1900-03-01T09:00:00+08:00"])
def test_intake_with_an_implausible_receipt_time_is_400(world, api, received_at):
    response = api(world.registrar).post("/petitions", intake_body(received_at=received_at))
    fields = assert_error_format(response, 400, "invalid")["fields"]
    assert "2000" in fields["received_at"]


def test_unknown_api_path_is_json_even_for_a_logged_in_post_without_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.registrar)
    assert_error_format(client.post("/api/v1/no/such/path", {}), 404, "not_found")
    assert_error_format(client.post("/api/v1/hearings/null,null/panel", {}), 404, "not_found")


def test_wrong_method_is_json(world, api):
    response = api(world.registrar).request("DELETE", "/units")
    assert_error_format(response, 405, "method_not_allowed")
    assert response["Allow"]


def test_a_mechanism_apps_own_404_body_gets_the_format(world, api):
    response = api(world.registrar).post("/reception/visits/999999/outcome", {"outcome": "x"})
    assert response.status_code in {400, 404}
    assert_error_format(response, response.status_code)


def test_error_handlers_answer_json_under_the_api_and_html_elsewhere():
    factory = RequestFactory()
    assert_error_format(api_urls.server_error(factory.get("/api/v1/petitions")), 500, "server_error")
    assert_error_format(api_urls.page_not_found(factory.get("/api/v1/x"), Exception()), 404, "not_found")
    assert_error_format(api_urls.csrf_failure(factory.post("/api/v1/x"), reason="x"), 403, "csrf_failed")
    page = api_urls.page_not_found(factory.get("/inbox/x"), Exception())
    assert page.status_code == 404 and not page["Content-Type"].startswith("application/json")
