"""One set of input limits for desk, portal and API (issue 13, finding 16)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.accounts.models import ApiToken
from xinfang.petitions.limits import CONTENT_MAX_CHARS
from xinfang.petitions.models import Petition
from xinfang.testing import VALID_ID

from .test_desk import desk_post

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff" * 4


def _desk(world, client, **overrides):
    client.force_login(world.registrar)
    data = desk_post(world, people=[{"name": "李四", "id_number": VALID_ID}])
    data.update(overrides)
    return client.post("/desk/", data)


def refused(response, field: str) -> str:
    """The desk answers a refusal with the form again (200) and a field error."""
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["form"].errors[field])


def _api(world, **overrides):
    token = ApiToken.issue(world.registrar, "测试")[1]
    body = {
        "channel": "visit",
        "title": "路灯不亮",
        "content": "路灯坏了三个月",
        "petitioners": [{"name": "张三", "id_number": VALID_ID}],
    }
    body.update(overrides)
    return Client().post(
        "/api/v1/petitions",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_desk_refuses_content_over_the_api_limit(world, client):
    assert refused(_desk(world, client, content="字" * (CONTENT_MAX_CHARS + 1)), "content")
    assert not Petition.objects.exists()
    assert _desk(world, client, content="字" * CONTENT_MAX_CHARS).status_code == 302


@pytest.mark.parametrize("field", ["content", "title"])
def test_zero_width_only_text_is_refused_at_desk_and_api(world, client, field):
    assert refused(_desk(world, client, **{field: ZERO_WIDTH}), field)
    response = _api(world, **{field: ZERO_WIDTH})
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not Petition.objects.exists()


def test_invalid_email_is_refused(world):
    response = _api(
        world, petitioners=[{"name": "张三", "id_number": VALID_ID, "email": "not an e-mail@@example"}]
    )
    assert response.status_code == 400
    assert "petitioners.0.email" in response.json()["fields"]
    ok = _api(world, petitioners=[{"name": "张三", "id_number": VALID_ID, "email": "zhang@example.cn"}])
    assert ok.status_code == 201


def test_desk_refuses_a_receipt_date_before_2000(world, client):
    assert "2000" in refused(_desk(world, client, received_at="1900-03-01T09:00"), "received_at")
    assert not Petition.objects.exists()


def test_desk_refuses_a_receipt_time_in_the_future(world, client):
    later = timezone.localtime() + timezone.timedelta(hours=2)
    assert refused(_desk(world, client, received_at=later.strftime("%Y-%m-%dT%H:%M")), "received_at")
