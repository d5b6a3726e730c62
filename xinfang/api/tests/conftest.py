"""An API caller per persona: `api(world.registrar).post("/petitions", {...})`."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xinfang.accounts.models import ApiToken

BASE = "/api/v1"


class Caller:
    """A test client that sends JSON with one user's bearer token (or none)."""

    def __init__(self, user=None, token: str | None = None) -> None:
        self.client = Client()
        self.user = user
        if token is None and user is not None:
            token = ApiToken.issue(user, "测试")[1]
        self.token = token

    def request(self, method: str, path: str, body=None, headers: dict | None = None, **params):
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        all_headers.update(headers or {})
        url = path if path.startswith(BASE) else BASE + path
        if method == "GET":
            return self.client.get(url, params, headers=all_headers)
        data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
        return getattr(self.client, method.lower())(
            url, data, content_type="application/json", headers=all_headers
        )

    def get(self, path: str, **params):
        return self.request("GET", path, **params)

    def post(self, path: str, body=None, headers: dict | None = None):
        return self.request("POST", path, body, headers=headers)


@pytest.fixture
def api():
    callers: dict = {}

    def make(user=None) -> Caller:
        key = getattr(user, "pk", None)
        if key not in callers:
            callers[key] = Caller(user)
        return callers[key]

    return make


def intake_body(**overrides) -> dict:
    body = {
        "channel": "visit",
        "title": "小区物业乱收停车费",
        "request": "退还多收的停车费",
        "facts_reasons": "物业公司未经业主大会同意提高停车费",
        "content": "我是朝阳小区业主，物业公司擅自提高停车费，要求依法查处并退还多收费用。",
        "petitioners": [
            {
                "name": "张三",
                "id_number": "320706198001011236",
                "phone": "13812345678",
                "address": "新海街道朝阳小区3栋",
                "is_representative": False,
            }
        ],
    }
    body.update(overrides)
    return body
