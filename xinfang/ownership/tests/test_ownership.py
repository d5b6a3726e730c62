from datetime import date, timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.ownership import actions, reminders
from xinfang.ownership.api import router
from xinfang.ownership.backlog import (
    backlog_resolution_counts,
    backlog_resolution_rate,
    first_petition_date_for,
)
from xinfang.ownership.models import (
    BacklogCase,
    BacklogReportDue,
    BacklogStatus,
    CaseOwnership,
    OwnershipStatus,
    Reminder,
    Risk,
)
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import PetitionLink
from xinfang.reception.tests.helpers import handling_petition, mechanism_steps
from xinfang.testing import make_petition


def _own(world, petition=None, interval=14):
    return actions.ownership_assign(
        actor=world.registrar,
        petition=petition or handling_petition(world),
        leader=world.bureau_leader,
        plan="面对面听取诉求，协调住建局核查",
        report_interval_days=interval,
        milestones=[("首次见面", timezone.localdate() + timedelta(days=7))],
    )


def _backlog(world, petition=None, **kw):
    defaults = dict(
        source="city", owner=world.bureau_leader, target_date=timezone.localdate() + timedelta(days=60)
    )
    return actions.backlog_create(
        actor=world.registrar, petition=petition or make_petition(world), **{**defaults, **kw}
    )


@pytest.mark.django_db
def test_ownership_lifecycle_reaches_the_timeline_and_resolves_the_backlog(world):
    petition = handling_petition(world)
    backlog = _backlog(world, petition)
    ownership = _own(world, petition)
    assert ownership.next_report_due == timezone.localdate() + timedelta(days=14)
    with pytest.raises(WrongState):
        _own(world, petition)
    with pytest.raises(Forbidden):
        actions.ownership_report(actor=world.handler_b, ownership=ownership, text="x")
    actions.ownership_report(actor=world.bureau_leader, ownership=ownership, text="已约见信访人")
    actions.milestone_complete(
        actor=world.bureau_leader, milestone=ownership.milestones.get(), evidence="已见面"
    )
    actions.field_visit_record(
        actor=world.bureau_leader,
        ownership=ownership,
        date=timezone.localdate(),
        place="朝阳小区",
        participants="李局长、新海街道",
        summary="上门听取意见",
    )
    actions.ownership_resolve(
        actor=world.bureau_leader,
        ownership=ownership,
        kind="agreement",
        evidence="签订和解协议",
        date=timezone.localdate(),
    )
    ownership.refresh_from_db()
    backlog.refresh_from_db()
    assert ownership.status == OwnershipStatus.RESOLVED
    assert backlog.status == BacklogStatus.RESOLVED
    assert mechanism_steps(petition, "case_ownership") == [
        "assigned",
        "progress_report",
        "milestone_done",
        "field_visit",
        "resolved",
    ]
    assert mechanism_steps(petition, "backlog") == ["listed", "resolved"]


@pytest.mark.django_db
def test_only_leaders_own_cases(world):
    with pytest.raises(ActionError) as exc:
        actions.ownership_assign(
            actor=world.registrar, petition=make_petition(world), leader=world.handler_a, plan="x"
        )
    assert "leader" in exc.value.fields


@pytest.mark.django_db
def test_missed_progress_report_is_reminded_once_per_period(world):
    ownership = _own(world, interval=7)
    later = timezone.now() + timedelta(days=8)
    assert reminders.send_due_reminders(later) == 1
    assert reminders.send_due_reminders(later) == 0
    assert reminders.send_due_reminders(later + timedelta(days=1)) == 0
    reminder = Reminder.objects.get()
    assert reminder.recipient == world.bureau_leader and ownership.petition.case_number in reminder.text

    # A report starts a new period; missing that one is reminded again, once.
    actions.ownership_report(actor=world.bureau_leader, ownership=ownership, text="进展")
    CaseOwnership.objects.filter(pk=ownership.pk).update(
        next_report_due=timezone.localdate() - timedelta(days=1)
    )
    assert reminders.send_due_reminders(timezone.now()) == 1
    assert reminders.send_due_reminders(timezone.now()) == 0
    assert Reminder.objects.count() == 2


@pytest.mark.django_db
def test_two_workers_with_the_same_candidates_send_one_reminder(world):
    ownership = _own(world, interval=1)
    today = timezone.localdate() + timedelta(days=3)
    seen_by_worker_a = list(reminders.progress_candidates(today))
    seen_by_worker_b = list(reminders.progress_candidates(today))
    assert [o.pk for o in seen_by_worker_a] == [ownership.pk]
    assert reminders.remind_progress(seen_by_worker_b[0]) is True
    assert reminders.remind_progress(seen_by_worker_a[0]) is False
    assert Reminder.objects.count() == 1
    assert mechanism_steps(ownership.petition, "case_ownership").count("report_reminder") == 1


@pytest.mark.django_db
def test_overdue_backlog_report_is_reminded_once(world):
    backlog = _backlog(world, reports=[(timezone.localdate() + timedelta(days=2), "feedback")])
    report = backlog.reports_due.get()
    assert reminders.send_due_reminders(timezone.now()) == 0
    later = timezone.now() + timedelta(days=3)
    stale = list(reminders.backlog_candidates(timezone.localdate(later)))
    assert reminders.send_due_reminders(later) == 1
    assert reminders.remind_backlog_report(stale[0], timezone.localdate(later)) is False
    assert reminders.send_due_reminders(later) == 0
    actions.backlog_submit_report(actor=world.bureau_leader, report=report, text="已反馈")
    assert BacklogReportDue.objects.get().submitted_at is not None
    assert Reminder.objects.filter(recipient=world.bureau_leader, kind="backlog_report").count() == 1


@pytest.mark.django_db
def test_backlog_sorted_by_risk_then_age_and_by_age_then_risk(world):
    today = timezone.localdate()
    old_low = _backlog(world, risk=Risk.LOW, first_petition_date=today - timedelta(days=3000))
    new_high = _backlog(world, risk=Risk.HIGH, first_petition_date=today - timedelta(days=100))
    old_high = _backlog(world, risk=Risk.HIGH, first_petition_date=today - timedelta(days=2000))
    mid = _backlog(world, risk=Risk.MEDIUM, first_petition_date=today - timedelta(days=2000))
    assert list(BacklogCase.objects.by_risk()) == [old_high, new_high, mid, old_low]
    assert list(BacklogCase.objects.by_age()) == [old_low, old_high, mid, new_high]


@pytest.mark.django_db
def test_backlog_age_counts_from_the_earliest_linked_petition(world):
    first = make_petition(world, received_at=timezone.now() - timedelta(days=4000))
    second = make_petition(world, received_at=timezone.now() - timedelta(days=900))
    latest = make_petition(world)
    PetitionLink.objects.create(from_petition=second, to_petition=first, kind="same_matter")
    PetitionLink.objects.create(from_petition=latest, to_petition=second, kind="same_matter")
    assert first_petition_date_for(latest) == timezone.localdate(first.received_at)
    backlog = _backlog(world, latest)
    assert backlog.age_days() >= 4000


@pytest.mark.django_db
def test_backlog_resolution_rate_is_resolved_over_due_in_period(world):
    today = timezone.localdate()
    due_a = _backlog(world, target_date=today + timedelta(days=10))
    _backlog(world, target_date=today + timedelta(days=20))
    _backlog(world, target_date=today + timedelta(days=400))  # not due in the period
    actions.backlog_resolve(actor=world.bureau_leader, backlog=due_a, note="停访息诉")
    start, end = today, today + timedelta(days=30)
    assert backlog_resolution_counts(start=start, end=end).due == 2
    assert backlog_resolution_rate(None, start, end) == 0.5
    assert backlog_resolution_rate(world.housing, start, end) is None


@pytest.mark.django_db
def test_leader_page_lists_owned_cases_and_is_private(client, world):
    ownership = _own(world)
    client.force_login(world.bureau_leader)
    response = client.get("/ownership/mine/", follow=True)
    assert ownership.petition.case_number in response.content.decode()
    client.force_login(world.handler_b)
    assert client.get(f"/ownership/leader/{world.bureau_leader.pk}/").status_code == 403
    assert client.get(f"/ownership/{ownership.pk}/").status_code == 404


@pytest.mark.django_db
def test_staff_pages_render(client, world):
    ownership = _own(world)
    backlog = _backlog(world, reports=[(date.today() + timedelta(days=5), "feedback")])
    actions.ownership_report(actor=world.bureau_leader, ownership=ownership, text="进展")
    client.force_login(world.registrar)
    for url in [
        "/ownership/",
        f"/ownership/{ownership.pk}/",
        "/ownership/backlog/",
        "/ownership/backlog/?sort=age",
        f"/ownership/backlog/{backlog.pk}/",
        "/ownership/backlog/new/",
        "/ownership/reminders/",
        f"/ownership/new/?petition={backlog.petition_id}",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(f"/ownership/{ownership.pk}/report/", {"text": "网页报送"})
    assert response.status_code == 302
    assert ownership.reports.count() == 2


@pytest.mark.django_db
def test_ownership_and_backlog_api_round_trip(world):
    client = TestClient(router)
    petition = handling_petition(world)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    r = client.post(
        "/ownerships",
        json={
            "petition_id": petition.pk,
            "leader_id": world.bureau_leader.pk,
            "plan": "包案方案",
            "milestones": [{"title": "见面", "due": due}],
        },
        user=world.registrar,
    )
    assert r.status_code == 201, r.content
    oid = r.json()["id"]
    assert (
        client.post(f"/ownerships/{oid}/reports", json={"text": "进展"}, user=world.bureau_leader).status_code
        == 201
    )
    assert len(client.get(f"/ownerships/{oid}", user=world.bureau_leader).json()["reports"]) == 1
    r = client.post(
        "/backlog",
        json={
            "petition_id": petition.pk,
            "source": "province",
            "owner_id": world.bureau_leader.pk,
            "target_date": due,
            "risk": "high",
            "reports": [{"due": due, "kind": "feedback"}],
        },
        user=world.registrar,
    )
    assert r.status_code == 201, r.content
    bid, rid = r.json()["id"], r.json()["reports"][0]["id"]
    r = client.post(f"/backlog/{bid}/reports/{rid}", json={"text": "反馈"}, user=world.bureau_leader)
    assert r.json()["reports"][0]["submitted_at"]
    r = client.post(
        f"/ownerships/{oid}/resolution",
        json={"kind": "stopped", "evidence": "停访息诉承诺书", "date": timezone.localdate().isoformat()},
        user=world.bureau_leader,
    )
    assert r.json()["status"] == "resolved"
    assert client.get(f"/backlog/{bid}", user=world.registrar).json()["status"] == "resolved"
    bad = client.post(
        "/backlog",
        json={"petition_id": petition.pk, "source": "x", "owner_id": world.handler_a.pk, "target_date": due},
        user=world.registrar,
    )
    assert bad.status_code == 400 and set(bad.json()["fields"]) >= {"source", "owner"}
