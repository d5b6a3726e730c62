"""Every state change that tells the petitioner is told once, even when the process that made
it was killed between its commit and the after-commit hook that queues the message (issue 15)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from xinfang.notifications import events, worker
from xinfang.notifications.messages import notify_petitioners
from xinfang.notifications.models import Notification
from xinfang.petitions import actions
from xinfang.petitions.actions._core import record_event
from xinfang.petitions.models import EventAction, PetitionEvent
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def age_events(minutes: int = 6) -> None:
    """Past NOTIFICATION_REPAIR_SECONDS (300 s): the hook would have run by now."""
    PetitionEvent.objects.update(at=timezone.now() - timedelta(minutes=minutes))


def messages_by_event() -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for event_id, template in Notification.objects.values_list("event_id", "template"):
        found.setdefault(event_id, []).append(template)
    return found


def notifying_events():
    return PetitionEvent.objects.filter(action__in=list(events.TEMPLATE_OF_ACTION)).order_by("pk")


# Each kind's event with the data its action writes (decisions.py, handling.py, review.py …).
EVENT_DATA = {
    EventAction.TRANSFER: {"unit": "新海街道"},
    EventAction.ASSIGN: {"unit": "新海街道"},
    EventAction.EXTEND: {"days": 30, "new_due": "2026-03-01"},
    EventAction.ISSUE_OPINION: {"stage": "initial"},
}


@pytest.mark.parametrize("action", list(events.TEMPLATE_OF_ACTION), ids=str)
def test_a_message_lost_with_a_killed_process_is_queued_once_by_the_worker(world, action):
    # The tests' transactions never run on_commit hooks: exactly what a kill -9 after commit leaves.
    petition = make_petition(world)
    event = record_event(petition, action=action, actor=world.registrar, data=EVENT_DATA.get(action))
    assert not Notification.objects.filter(event=event).exists()
    worker.queue_missed_notifications()
    assert not Notification.objects.filter(event=event).exists()  # younger than the repair delay
    age_events()
    worker.run_once()
    worker.run_once()
    (message,) = Notification.objects.filter(event=event)
    assert message.template == events.TEMPLATE_OF_ACTION[action]
    assert message.petition == petition and message.status == "sent"
    assert petition.case_number in message.body
    # The hook of the killed process, if it ran late after all, adds nothing.
    assert events.queue_for_event(event.pk) == 0
    assert Notification.objects.filter(event=event).count() == 1


def test_a_whole_procedure_whose_hooks_all_died_is_told_once_per_step(world):
    petition = advance(make_petition(world), world, to="handling")
    actions.petition_extend(actor=world.leader_a, petition=petition, days=15, reason="需要补充调查")
    advance(petition, world, to="rereview")
    rejected = make_petition(world, title="另一件")
    actions.petition_reject(
        actor=world.registrar, petition=rejected, reason_code="not_a_petition", reason="不属于信访事项"
    )
    # The registration messages commit with their registrations; every other hook died.
    assert set(Notification.objects.values_list("template", flat=True)) == {"registered"}
    age_events()
    worker.queue_missed_notifications()
    worker.queue_missed_notifications()
    expected = {e.pk: [events.TEMPLATE_OF_ACTION[e.action]] for e in notifying_events()}
    assert messages_by_event() == expected
    assert sorted(set(events.TEMPLATE_OF_ACTION[e.action] for e in notifying_events())) == [
        "accepted",
        "extended",
        "opinion_issued",
        "registered",
        "rejected",
        "review_requested",
        "transferred",
    ]


def test_the_hook_and_the_sweep_together_queue_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = advance(make_petition(world), world, to="handling")
    assert Notification.objects.filter(petition=petition).count() == 3
    age_events()
    assert worker.queue_missed_notifications() == 0
    assert all(events.queue_for_event(e.pk) == 0 for e in notifying_events())
    assert Notification.objects.count() == 3


def test_messages_queued_before_they_named_their_event_are_not_sent_again(world):
    petition = make_petition(world)
    advance(petition, world, to="routed")
    Notification.objects.all().delete()
    # As the old hook queued them: no event on the row.
    notify_petitioners(petition, "registered", {"query_code": "ABCD2345"})
    notify_petitioners(petition, "transferred", {"unit": "新海街道", "verb": "转送"})
    age_events()
    assert worker.queue_missed_notifications() == 0
    assert Notification.objects.count() == 2


@pytest.mark.parametrize("phone", ["0518-85812345", "05188581234"])
def test_a_petitioner_with_only_a_landline_is_not_retried(world, phone):
    # Else a day of landline-only petitions would fill every batch of the sweep.
    landline = make_petition(
        world, petitioners=[actions.PetitionerInput(name="李四", phone=phone, address="新海街道")]
    )
    mobile = make_petition(world)
    Notification.objects.all().delete()  # as if both were registered by a process killed before its hook
    age_events()
    assert list(worker.missed_events()) == [mobile.events.get().pk]
    assert not landline.notifications.exists()


def test_a_message_older_than_the_repair_window_is_left_alone(world):
    make_petition(world)
    age_events(minutes=int(worker.REPAIR_WINDOW.total_seconds() // 60) + 10)
    assert worker.queue_missed_notifications() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_three_workers_and_the_late_hooks_queue_each_message_once(world):
    petitions = [advance(make_petition(world, title=f"事项{i}"), world, to="handling") for i in range(3)]
    age_events()
    ids = [e.pk for e in notifying_events()]
    barrier = threading.Barrier(6)

    def sweep() -> None:
        try:
            barrier.wait()
            worker.queue_missed_notifications()
        finally:
            connections.close_all()

    def hooks() -> None:
        try:
            barrier.wait()
            for pk in ids:
                events.queue_for_event(pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=t) for t in (sweep, sweep, sweep, hooks, hooks, hooks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 3 * len(petitions)
    assert messages_by_event() == {
        pk: [events.TEMPLATE_OF_ACTION[e]] for pk, e in notifying_events().values_list("pk", "action")
    }
