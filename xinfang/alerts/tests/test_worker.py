"""The worker raises each warning once, even with two workers, and closes
matters whose review window ran out."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.alerts.deadlines import warn_deadlines
from xinfang.alerts.models import Alert
from xinfang.alerts.worker import close_expired_windows, run_once
from xinfang.petitions.models import Deadline
from xinfang.testing import advance, deliver_opinion, make_petition

pytestmark = pytest.mark.django_db


def test_due_soon_and_overdue_warnings_are_raised_once(world):
    soon = advance(make_petition(world), world, to="handling")
    late = advance(make_petition(world), world, to="handling")
    today = timezone.localdate()
    Deadline.objects.filter(petition=soon, rule="conclude").update(due=today + timedelta(days=1))
    Deadline.objects.filter(petition=late, rule="conclude").update(due=today - timedelta(days=2))
    assert warn_deadlines() == 2
    assert warn_deadlines() == 0
    kinds = sorted(Alert.objects.values_list("kind", "petition_id"))
    assert kinds == sorted([("due_soon", soon.pk), ("overdue", late.pk)])


def test_two_workers_claim_each_warning_once(world):
    petition = advance(make_petition(world), world, to="handling")
    Deadline.objects.filter(petition=petition, rule="conclude").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    stale = list(Deadline.objects.filter(petition=petition, rule="conclude"))
    from xinfang.alerts import deadlines as module

    # Both workers read the same candidate before either claims it.
    claims = [module._claim(stale[0], "overdue_warned_at", timezone.now()) for _ in range(2)]
    assert claims == [True, False]


def test_paused_deadlines_raise_no_warning(world):
    from xinfang.testing import hold_rereview_hearing

    petition = advance(make_petition(world), world, to="rereview")
    hold_rereview_hearing(world, petition)  # the hearing pauses the re-review clock
    Deadline.objects.filter(petition=petition, rule="rereview_answer").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    assert warn_deadlines() == 0


def test_worker_closes_after_review_window(world):
    petition = advance(make_petition(world), world, to="issued")
    deliver_opinion(petition, world)
    Deadline.objects.filter(petition=petition, rule="review_request").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    assert close_expired_windows() == 1
    petition.refresh_from_db()
    assert petition.status == "closed"
    results = run_once()
    assert results["deadline_warnings"] >= 0 and results["closed_after_window"] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_worker_threads_raise_one_alert(world):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the claim is covered above")
    petition = advance(make_petition(world), world, to="handling")
    Deadline.objects.filter(petition=petition, rule="conclude").update(
        due=timezone.localdate() - timedelta(days=1)
    )
    results = []

    def work():
        from django.db import connection as conn

        results.append(warn_deadlines())
        conn.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert Alert.objects.filter(petition=petition, kind="overdue").count() == 1


def test_a_crash_between_claim_and_alert_loses_no_warning(world, monkeypatch):
    from xinfang.alerts import deadlines as module

    petition = advance(make_petition(world), world, to="handling")
    Deadline.objects.filter(petition=petition, rule="conclude").update(
        due=timezone.localdate() + timedelta(days=1)
    )

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(module, "raise_alert", crash)
    with pytest.raises(SystemExit):
        warn_deadlines()
    monkeypatch.undo()
    assert warn_deadlines() == 1
    assert Alert.objects.filter(kind="due_soon", petition=petition).count() == 1
