"""The stats API router (mounted by the lead under /api/v1/)."""

import pytest
from ninja.testing import TestClient

from xinfang.stats.api import router
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_dashboard_json_for_bureau_and_unit_scope(world):
    make_petition(world)
    client = TestClient(router)
    body = client.get("/stats/dashboard", user=world.bureau_leader).json()
    assert body["totals"]["received"] == 1
    assert {r["code"] for r in body["rates"]} >= {"timely_acceptance", "on_time_conclusion", "satisfaction"}
    assert client.get("/stats/dashboard", user=world.handler_a).json()["unit"] == "新海街道"
    assert client.get(f"/stats/dashboard?unit={world.town_b.pk}", user=world.handler_a).status_code == 404
