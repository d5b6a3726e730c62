"""Hot spots from the cache: computed once, shared by bureau viewers, filtered to what each may see."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.petitions.actions import PetitionerInput, petition_recuse
from xinfang.stats import hotspot_cache, hotspots, jobs
from xinfang.testing import PASSWORD, make_petition

from .test_hotspots import PARKING

pytestmark = pytest.mark.django_db


@pytest.fixture
def parking(world):
    return [
        make_petition(
            world,
            title="丽发新城停车费上涨",
            content=PARKING.replace("三百", f"{300 + i}"),
            town_id=world.town_a.pk,
            petitioners=[PetitionerInput(name=f"业主{i}", phone=f"1390000{i:04d}")],
        )
        for i in range(4)
    ]


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = hotspots.hot_spots

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(hotspots, "hot_spots", spy)
    return calls


def _month():
    today = timezone.localdate()
    return today.replace(day=1), today


def test_bureau_viewers_share_one_computation_until_refreshed(world, parking, counted):
    start, end = _month()
    spots, at = hotspot_cache.hot_spots(start, end, user=world.bureau_leader, shared=True)
    again, at_again = hotspot_cache.hot_spots(start, end, user=world.registrar, shared=True)
    assert len(counted) == 1 and at_again == at
    assert spots[0]["count"] == again[0]["count"] == 4
    hotspot_cache.hot_spots(start, end, user=world.registrar, shared=True, refresh=True)
    assert len(counted) == 2


def test_each_viewer_sees_only_the_petitions_they_may_open(world, parking):
    petition_recuse(actor=world.bureau_leader, petition=parking[0], user=world.registrar, reason="近亲属")
    start, end = _month()
    leader_view, _ = hotspot_cache.hot_spots(start, end, user=world.bureau_leader, shared=True)
    registrar_view, _ = hotspot_cache.hot_spots(start, end, user=world.registrar, shared=True)
    assert parking[0].pk in leader_view[0]["petition_ids"]
    assert parking[0].pk not in registrar_view[0]["petition_ids"]
    assert parking[0].pk not in [e["id"] for e in registrar_view[0]["examples"]]
    assert leader_view[0]["count"] == 4
    assert registrar_view[0]["count"] == 3  # counts too are the viewer's (issue 13: every output filtered)


def test_unit_staff_get_their_own_entry_computed_with_their_access(world, parking, counted):
    start, end = _month()
    hotspot_cache.hot_spots(start, end, world.town_a, user=world.handler_a, shared=False)
    assert counted[-1][1]["user"] == world.handler_a
    hotspot_cache.hot_spots(start, end, world.town_b, user=world.handler_b, shared=False)
    assert len(counted) == 2


def test_worker_refreshes_the_default_entries_and_the_page_shows_when(client, world, parking, counted):
    jobs.run_once(force=True)
    assert len(counted) == 2  # this month's hot spots and the monthly pick
    assert client.login(username="bureau_leader", password=PASSWORD)
    page = client.get(reverse("stats:hotspots"))
    assert len(counted) == 2  # served from the cache
    assert "计算于" in page.content.decode() and "停车费" in page.content.decode()
    client.get(reverse("stats:monthly_pick"))
    assert len(counted) == 2
