import sys
import types
from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.commitments import actions, reminders
from xinfang.commitments.api import router
from xinfang.commitments.models import Commitment, CommitmentStatus
from xinfang.commitments.stats import accountability_by_unit
from xinfang.ownership.models import Reminder
from xinfang.petitions.errors import Forbidden
from xinfang.reception.tests.helpers import handling_petition, mechanism_steps


def _commit(world, days=5, petition=None):
    return actions.commitment_create(
        actor=world.handler_a,
        petition=petition or handling_petition(world),
        unit=world.town_a,
        owner=world.leader_a,
        text="15日内督促物业退还多收停车费",
        due=timezone.localdate() + timedelta(days=days),
    )


@pytest.fixture
def supervision_calls(monkeypatch):
    """Stand-in for the supervision app's hook (the real one is another helper's)."""
    calls = []

    def hook(commitment):
        calls.append(commitment.pk)
        return types.SimpleNamespace(pk=100 + commitment.pk)

    try:
        import xinfang.supervision.actions as module
    except ImportError:
        module = types.ModuleType("xinfang.supervision.actions")
        monkeypatch.setitem(sys.modules, "xinfang.supervision.actions", module)
    monkeypatch.setattr(module, "supervision_open_for_missed_commitment", hook, raising=False)
    return calls


@pytest.mark.django_db
def test_missed_commitment_is_flagged_once_and_raises_supervision(world, supervision_calls):
    commitment = _commit(world, days=1)
    later = timezone.now() + timedelta(days=3)
    assert reminders.flag_missed_commitments(timezone.now()) == 0
    assert reminders.run_once(later) == 1
    assert reminders.run_once(later) == 0
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.MISSED
    assert supervision_calls == [commitment.pk]
    assert commitment.supervision_ref == f"SimpleNamespace:{100 + commitment.pk}"
    assert Reminder.objects.filter(recipient=world.leader_a, kind="commitment_missed").count() == 1
    assert mechanism_steps(commitment.petition, "commitment") == ["made", "missed"]


@pytest.mark.django_db
def test_two_workers_flag_a_missed_commitment_once(world, supervision_calls):
    commitment = _commit(world, days=1)
    later = timezone.now() + timedelta(days=3)
    worker_a = list(reminders.missed_candidates(timezone.localdate(later)))
    worker_b = list(reminders.missed_candidates(timezone.localdate(later)))
    assert reminders.flag_missed(worker_b[0], later) is True
    assert reminders.flag_missed(worker_a[0], later) is False
    assert supervision_calls == [commitment.pk]
    assert Reminder.objects.count() == 1


@pytest.mark.django_db
def test_missed_commitment_without_supervision_app_is_still_flagged(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "xinfang.supervision.actions", None)  # import fails
    commitment = _commit(world, days=1)
    assert reminders.run_once(timezone.now() + timedelta(days=3)) == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.MISSED and commitment.supervision_ref == ""


@pytest.mark.django_db
def test_kept_late_stays_in_accountability_and_on_time_rate_excludes_it(world, supervision_calls):
    late = _commit(world, days=1)
    on_time = _commit(world, days=30)
    reminders.run_once(timezone.now() + timedelta(days=3))
    actions.commitment_keep(
        actor=world.leader_a, commitment=late.__class__.objects.get(pk=late.pk), evidence="已退费"
    )
    actions.commitment_keep(actor=world.handler_a, commitment=on_time, evidence="已退费")
    (row,) = accountability_by_unit()
    assert (row.total, row.kept, row.missed, row.still_missed) == (2, 2, 1, 0)
    assert row.keep_rate == 0.5
    assert Commitment.objects.flagged().get().pk == late.pk


@pytest.mark.django_db
def test_only_the_promising_unit_or_bureau_records_commitments(world):
    petition = handling_petition(world)
    with pytest.raises(Forbidden):
        actions.commitment_create(
            actor=world.handler_b,
            petition=petition,
            unit=world.town_a,
            owner=world.leader_a,
            text="x",
            due=timezone.localdate(),
        )
    with pytest.raises(Forbidden):
        actions.commitment_keep(
            actor=world.handler_b, commitment=_commit(world, petition=petition), evidence="x"
        )


@pytest.mark.django_db
def test_accountability_page_lists_missed_per_unit(client, world, supervision_calls):
    _commit(world, days=1)
    reminders.run_once(timezone.now() + timedelta(days=3))
    client.force_login(world.supervisor)
    today = timezone.localdate()
    response = client.get(f"/commitments/accountability/?start={today.year}-01-01&end={today.year + 1}-12-31")
    body = response.content.decode()
    assert response.status_code == 200 and "新海街道" in body and "已提请督办" in body
    client.force_login(world.handler_a)
    assert client.get("/commitments/accountability/").status_code == 403


@pytest.mark.django_db
def test_commitment_api_round_trip(world):
    client = TestClient(router)
    petition = handling_petition(world)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    r = client.post(
        "/commitments",
        json={
            "petition_id": petition.pk,
            "unit_id": world.town_a.pk,
            "owner_id": world.handler_a.pk,
            "text": "退费",
            "due": due,
        },
        user=world.handler_a,
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert [c["id"] for c in client.get("/commitments", user=world.leader_a).json()] == [cid]
    assert client.get(f"/commitments/{cid}", user=world.pl_handler).status_code == 404
    r = client.post(f"/commitments/{cid}/keep", json={"evidence": "已退费"}, user=world.handler_a)
    assert r.json()["status"] == "kept"
    r = client.post(f"/commitments/{cid}/keep", json={"evidence": "再次"}, user=world.handler_a)
    assert r.status_code == 409 and r.json()["error"] == "wrong_state"
