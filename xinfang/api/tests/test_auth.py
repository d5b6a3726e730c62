from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.accounts.models import ApiToken
from xinfang.api import auth
from xinfang.testing import PASSWORD

from .conftest import Caller, intake_body

pytestmark = pytest.mark.django_db


def test_bearer_token_authenticates(world, api):
    response = api(world.registrar).get("/units")
    assert response.status_code == 200
    assert {u["name"] for u in response.json()} >= {"海州区信访局", "新海街道"}


@pytest.mark.parametrize("header", [None, "Bearer xf_not-a-token", "Token abc", "Bearer "])
def test_missing_or_bad_token_is_401_in_our_shape(world, header):
    headers = {"Authorization": header} if header else {}
    response = Client().get("/api/v1/petitions", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized"
    assert "令牌" in body["message"]
    assert body["fields"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_and_inactive_user_are_refused(world):
    token, raw = ApiToken.issue(world.registrar, "过期")
    token.expires_at = timezone.now() - timedelta(minutes=1)
    token.save()
    assert Caller(token=raw).get("/petitions").status_code == 401
    _, raw = ApiToken.issue(world.handler_a, "停用")
    world.handler_a.is_active = False
    world.handler_a.save()
    assert Caller(token=raw).get("/petitions").status_code == 401


def test_anonymous_post_is_401_not_csrf(world):
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/petitions", "{}", content_type="application/json"
    )
    assert response.status_code == 401


def test_last_used_is_written_at_most_once_a_minute(world):
    token, raw = ApiToken.issue(world.registrar, "脚本")
    caller = Caller(token=raw)
    assert caller.get("/units").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert caller.get("/units").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    # A minute later (another process, or this one after the interval) it is written again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    auth._touched.clear()
    assert caller.get("/units").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_session_auth_reads_and_needs_csrf_to_write(world):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="registrar", password=PASSWORD)
    assert client.get("/api/v1/petitions").status_code == 200
    refused = client.post("/api/v1/petitions", intake_body(), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"] == "csrf_failed"
    assert "CSRF" in refused.json()["message"]
    client.get("/api/v1/docs")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/petitions", intake_body(), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_bad_bearer_token_does_not_fall_back_to_session(world):
    client = Client()
    assert client.login(username="registrar", password=PASSWORD)
    response = client.get("/api/v1/petitions", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
