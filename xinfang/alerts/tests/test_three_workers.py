"""Three workers at once on PostgreSQL: every job does its work exactly once, and the rollup
equals a recount from the events.  Each thread has its own connection, so the races are real."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from xinfang.alerts import worker
from xinfang.alerts.models import Alert, AlertNotice
from xinfang.notifications.models import Notification, NotificationStatus
from xinfang.ownership import actions as ownership_actions
from xinfang.ownership.models import CaseOwnership, Reminder
from xinfang.petitions.models import Deadline
from xinfang.reception.tests.helpers import mechanism_steps
from xinfang.stats import rollup
from xinfang.stats.models import DailyStat
from xinfang.testing import advance, make_petition, make_world

from .concurrency import postgres_only, recounted_rollup, run_concurrently, stored_rollup

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _outbox_refs() -> Counter:
    refs: Counter = Counter()
    for path in sorted(settings.NOTIFICATION_OUTBOX.glob("sms-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            refs[json.loads(line)["ref"]] += 1
    return refs


def test_three_workers_do_each_job_once(settings):
    settings.TRIAGE_ON_REGISTER = False  # triage has its own test below
    settings.TRIAGE_SWEEP_DAYS = 0
    world = make_world()
    today = timezone.localdate()
    soon = [advance(make_petition(world), world, to="handling") for _ in range(3)]
    late = [advance(make_petition(world), world, to="handling") for _ in range(3)]
    for p in soon:
        Deadline.objects.filter(petition=p, rule="conclude").update(due=today + timedelta(days=1))
    for p in late:
        Deadline.objects.filter(petition=p, rule="conclude").update(due=today - timedelta(days=2))
    owned = [
        ownership_actions.ownership_assign(
            actor=world.registrar,
            petition=p,
            leader=world.bureau_leader,
            plan="约见信访人",
            report_interval_days=7,
            milestones=[],
        )
        for p in soon[:2]
    ]
    CaseOwnership.objects.filter(pk__in=[o.pk for o in owned]).update(
        next_report_due=today - timedelta(days=1)
    )
    queued = set(Notification.objects.values_list("pk", flat=True))
    assert len(queued) >= 6  # one per registration at least (the petitioner has a phone)

    run_concurrently(lambda i: [worker.run_once() for _ in range(2)])

    # Each deadline warning raised exactly once.
    warnings = Counter(
        Alert.objects.filter(kind__in=["due_soon", "overdue"]).values_list("kind", "petition_id")
    )
    assert warnings == Counter([("due_soon", p.pk) for p in soon] + [("overdue", p.pk) for p in late])
    # ... and followed by one notice to its unit.
    notices = Counter(
        AlertNotice.objects.filter(alert__kind__in=["due_soon", "overdue"]).values_list("alert_id")
    )
    assert sorted(notices.values()) == [1] * 6
    # Each queued notification sent exactly once (one line in the outbox per message).
    refs = _outbox_refs()
    assert set(Notification.objects.filter(pk__in=queued).values_list("status", flat=True)) == {
        NotificationStatus.SENT
    }
    assert {f"xf-{pk}": 1 for pk in queued} == {ref: refs[ref] for ref in (f"xf-{pk}" for pk in queued)}
    assert sum(refs.values()) == len(queued)
    # Each missed report reminded once.
    assert Reminder.objects.filter(kind="ownership_report").count() == 2
    for o in owned:
        assert mechanism_steps(o.petition, "case_ownership").count("report_reminder") == 1
    # The rollup equals a recount.
    assert stored_rollup() == recounted_rollup(today - timedelta(days=3), today + timedelta(days=60))


def test_three_rollup_passes_at_once_count_each_day_once(settings, monkeypatch):
    settings.TRIAGE_ON_REGISTER = False
    world = make_world()
    for _ in range(4):
        make_petition(world)
    today = timezone.localdate()
    # Hold every pass between its recount and its write so they overlap for certain.
    together = threading.Barrier(3)
    real_compute = rollup.compute

    def compute_then_wait(start, end):
        result = real_compute(start, end)
        try:
            together.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # the other passes did not reach their recount (they were refused the claim)
        return result

    monkeypatch.setattr(rollup, "compute", compute_then_wait)
    consumed = run_concurrently(lambda i: rollup.refresh())
    monkeypatch.setattr(rollup, "compute", real_compute)

    assert sorted(consumed)[-1] > 0
    assert stored_rollup() == recounted_rollup(today - timedelta(days=3), today + timedelta(days=60))
    received = sum(DailyStat.objects.filter(date=today).values_list("received", flat=True))
    assert received == 4


def test_three_workers_triage_each_petition_once(settings, monkeypatch):
    from xinfang.triage import queue, service
    from xinfang.triage.models import TriagePending, TriageRecord

    settings.TRIAGE_ON_REGISTER = True
    world = make_world()
    petitions = [make_petition(world) for _ in range(9)]
    calls: Counter = Counter()
    lock = threading.Lock()
    real = service.triage_petition

    def counted(petition, **batch):
        with lock:
            calls[petition.pk] += 1
        return real(petition, **batch)

    monkeypatch.setattr(service, "triage_petition", counted)
    run_concurrently(lambda i: [queue.drain(limit=20) for _ in range(2)])

    assert calls == Counter({p.pk: 1 for p in petitions})
    assert TriageRecord.objects.filter(petition__in=petitions).count() == 9
    assert not TriagePending.objects.exists()
