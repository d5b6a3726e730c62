"""Idempotency-Keys expire after IDEMPOTENCY_KEY_DAYS and the worker removes them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.alerts import worker
from xinfang.petitions.models import IdempotencyKey, Petition

from .conftest import intake_body

pytestmark = pytest.mark.django_db


def test_worker_removes_expired_idempotency_keys(world, api, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 7
    caller = api(world.registrar)
    old = caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "old-key"})
    fresh = caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "fresh-key"})
    assert old.status_code == fresh.status_code == 201
    IdempotencyKey.objects.filter(key="old-key").update(
        created_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    IdempotencyKey.objects.filter(key="fresh-key").update(created_at=timezone.now() - timedelta(days=6))

    worker.run_once()

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh-key"]
    # The fresh key still answers a retry with its petition; the expired one registers anew.
    assert (
        caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "fresh-key"}).status_code == 200
    )
    again = caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "old-key"})
    assert again.status_code == 201 and again.json()["id"] != old.json()["id"]
    assert Petition.objects.count() == 3


def test_expiry_period_is_configurable(world, api, settings):
    settings.IDEMPOTENCY_KEY_DAYS = 1
    api(world.registrar).post("/petitions", intake_body(), headers={"Idempotency-Key": "k1"})
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    from xinfang.petitions.housekeeping import expire_idempotency_keys

    assert expire_idempotency_keys() == 1
    assert not IdempotencyKey.objects.exists()
