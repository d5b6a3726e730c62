"""Issue 13 §13: statistics count only what the viewer may open (an accused government's leader
does not learn of the accusation against it through the dashboard's counts)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.accounts.models import Role
from xinfang.petitions import access
from xinfang.petitions.models import Petition, Recusal
from xinfang.stats import rollup
from xinfang.stats.api import router
from xinfang.testing import advance, make_petition, make_user

pytestmark = pytest.mark.django_db


def _accusation_against_district(world, received_at):
    petition = make_petition(
        world,
        title="反映区政府领导违规插手工程",
        petition_class="accusation",
        respondent_unit_id=world.district.pk,
        respondent_person="某某",
        received_at=received_at,
    )
    Petition.objects.filter(pk=petition.pk).update(
        handling_unit=world.discipline, status="routed", current_due=timezone.localdate() - timedelta(days=1)
    )
    return petition


@pytest.mark.parametrize("stored", [False, True], ids=["today-live", "stored-rollup"])
def test_accused_government_does_not_count_the_accusation_against_it(world, stored):
    district_leader = make_user("district_leader", Role.UNIT_LEADER, world.district)
    received = timezone.now() - timedelta(days=3 if stored else 0)
    _accusation_against_district(world, received)
    advance(make_petition(world, received_at=received), world, to="handling")  # an ordinary matter
    if stored:
        rollup.rebuild()
    start = (timezone.localdate() - timedelta(days=5)).isoformat()
    client = TestClient(router)
    mine = client.get(f"/stats/dashboard?start={start}", user=district_leader).json()
    assert mine["totals"]["received"] == 1
    assert all(r["code"] != "accusation" for r in mine["by_class"])
    assert mine["respondents"] == []
    assert mine["deadlines"]["overdue"] == 0
    assert all(r["unit_id"] != world.discipline.pk for r in mine["deadlines"]["by_unit"])
    # The discipline unit handling it, and the bureau, count it.
    theirs = client.get(f"/stats/dashboard?start={start}", user=world.discipline_leader).json()
    assert theirs["totals"]["received"] == 1 and theirs["deadlines"]["overdue"] == 1
    bureau = client.get(f"/stats/dashboard?start={start}", user=world.bureau_leader).json()
    assert bureau["totals"]["received"] == 2
    assert [r["count"] for r in bureau["respondents"]] == [1]


def test_recused_viewer_does_not_count_the_matter(world):
    petition = advance(make_petition(world), world, to="handling")
    Recusal.objects.create(
        petition=petition, user=world.leader_a, reason="利害关系", created_by=world.registrar
    )
    client = TestClient(router)
    assert client.get("/stats/dashboard", user=world.leader_a).json()["totals"]["received"] == 0
    assert client.get("/stats/dashboard", user=world.handler_a).json()["totals"]["received"] == 1


def test_a_recused_overseer_still_counts_the_matter_they_may_open(world):
    """Recusal takes away the right to act, never oversight (Art. 28③, petitions/access.py): a bureau
    leader who stepped aside still opens the matter, so their figures and warnings count it; the
    registrar who stepped aside does not."""
    petition = advance(make_petition(world), world, to="handling")
    for user in (world.bureau_leader, world.registrar):
        Recusal.objects.create(petition=petition, user=user, reason="利害关系", created_by=world.supervisor)
    assert access.can_see(world.bureau_leader, petition) and not access.can_see(world.registrar, petition)
    client = TestClient(router)
    assert client.get("/stats/dashboard", user=world.bureau_leader).json()["totals"]["received"] == 1
    assert client.get("/stats/dashboard", user=world.registrar).json()["totals"]["received"] == 0
