"""Schemathesis against /api/v1/openapi.json: every operation, a bounded number
of generated requests each, as a staff token and as an anonymous caller.

The contract checked is the one the API promises, not the schema's exhaustive
list of status codes: no server error, and every error reply is JSON in the
error format {"error": code, "message": 中文, "fields": {...}}.
FUZZ_EXAMPLES (environment) sets the number of examples per operation;
FUZZ_REPORT names a file to which each request's operation and status is appended.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from xinfang.accounts.models import ApiToken
from xinfang.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]
REPORT = os.environ.get("FUZZ_REPORT")  # a file: one line per request (operation, status)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The app is called through WSGI, not Django's test client: like that client,
    keep request signals from closing the connection of the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["staff", "anonymous"])
def auth_headers(request, world) -> dict[str, str]:
    from xinfang.testing import make_petition

    make_petition(world)
    if request.param == "anonymous":
        return {}
    return {"Authorization": f"Bearer {ApiToken.issue(world.registrar, 'fuzz')[1]}"}


def assert_api_contract(response) -> None:
    """No 5xx; an error reply is JSON in the API's error format."""
    request = response.request
    where = f"{request.method} {request.url}"
    assert response.status_code < 500, f"{where} → {response.status_code}: {response.text[:300]}"
    if response.status_code >= 400:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/json"), f"{where} → {content_type}"
        body = json.loads(response.content)
        assert set(body) == {"error", "message", "fields"}, f"{where} → {body}"
        assert isinstance(body["error"], str) and isinstance(body["fields"], dict), body
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_without_server_error(case, auth_headers):
    response = case.call(headers=auth_headers)
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as report:
            report.write(f"{case.operation.label}\t{response.status_code}\n")
    assert_api_contract(response)
