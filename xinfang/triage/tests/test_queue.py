"""Triage runs in the worker: queued with the registration, claimed once, retried, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.alerts import worker
from xinfang.testing import make_petition
from xinfang.triage import queue, service
from xinfang.triage.models import TriagePending, TriageRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    settings.TRIAGE_ON_REGISTER = True


def test_a_registration_killed_after_commit_still_gets_its_triage(world, queued):
    # The request committed and died before any after-commit work: only the worker remains.
    petition = make_petition(world)
    assert not TriageRecord.objects.filter(petition=petition).exists()
    worker.run_once()
    assert TriageRecord.objects.filter(petition=petition).count() == 1
    assert queue.status(petition) == "done"
    assert not TriagePending.objects.exists()


def test_a_failed_triage_is_retried_later(world, queued, monkeypatch):
    petition = make_petition(world)

    def broken(p, **batch):
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(service, "triage_petition", broken)
    assert queue.drain() == 0
    row = TriagePending.objects.get(pk=petition.pk)
    assert row.attempts == 1 and row.last_error == "RuntimeError"
    assert row.claimed_until > timezone.now()  # backing off
    monkeypatch.undo()
    assert queue.drain() == 0  # not before its time
    TriagePending.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert queue.drain() == 1
    assert TriageRecord.objects.filter(petition=petition).count() == 1


def test_a_claim_of_a_killed_worker_runs_out(world, queued):
    petition = make_petition(world)
    assert queue.claim(petition.pk, timezone.now())  # this worker is then killed -9
    assert queue.drain() == 0
    TriagePending.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert queue.drain() == 1
    assert TriageRecord.objects.filter(petition=petition).count() == 1


def test_a_worker_whose_claim_was_taken_over_stores_nothing(world, queued, monkeypatch):
    petition = make_petition(world)
    real = service.triage_petition

    def slow(p, **batch):
        # While this worker computes, its hold runs out and another worker claims the row.
        TriagePending.objects.filter(pk=p.pk).update(claimed_until=timezone.now() + timedelta(hours=1))
        return real(p, **batch)

    monkeypatch.setattr(service, "triage_petition", slow)
    assert queue.triage_one(petition.pk) is False
    assert not TriageRecord.objects.filter(petition=petition).exists()  # rolled back
    assert TriagePending.objects.filter(pk=petition.pk).exists()


def test_sweep_queues_recent_petitions_without_triage(world, settings):
    settings.TRIAGE_ON_REGISTER = False  # e.g. a bulk load, or a registration before this release
    recent = make_petition(world)
    old = make_petition(world, received_at=timezone.now() - timedelta(days=30))
    assert queue.status(recent) == "none"
    assert queue.sweep() == 1
    assert queue.sweep() == 0
    assert queue.status(recent) == "pending" and queue.status(old) == "none"
    assert queue.drain() == 1 and queue.status(recent) == "done"


def test_petition_page_and_api_show_pending_triage(world, queued, client):
    from xinfang.accounts.models import ApiToken

    petition = make_petition(world)
    client.force_login(world.registrar)
    raw = ApiToken.issue(world.registrar, "测试")[1]
    bearer = {"Authorization": f"Bearer {raw}"}

    def api_status():
        return client.get(f"/api/v1/petitions/{petition.pk}", headers=bearer).json()["triage_status"]

    assert "分析中" in client.get(f"/petitions/{petition.pk}/").content.decode()
    assert api_status() == "pending"
    queue.drain()
    assert "分析中" not in client.get(f"/petitions/{petition.pk}/").content.decode()
    assert api_status() == "done"
