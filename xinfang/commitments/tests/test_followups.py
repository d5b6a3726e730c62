from datetime import timedelta

import pytest
from django.utils import timezone
from ninja.testing import TestClient

from xinfang.commitments import actions, reminders
from xinfang.commitments.api import router
from xinfang.commitments.followups import schedule_missing_followups
from xinfang.commitments.models import FollowUp, FollowUpPolicy, FollowUpStatus
from xinfang.commitments.stats import followup_counts, unsolved_count
from xinfang.petitions.choices import Status
from xinfang.petitions.errors import Forbidden, WrongState
from xinfang.petitions.models import EventAction
from xinfang.reception.tests.helpers import concluded_petition
from xinfang.testing import advance, make_petition


@pytest.mark.django_db
def test_closing_a_petition_schedules_follow_ups_at_policy_intervals(world):
    petition = concluded_petition(world)
    followups = list(petition.followups.order_by("seq"))
    closed_on = timezone.localdate(petition.closed_at)
    assert [(f.seq, f.due) for f in followups] == [
        (1, closed_on + timedelta(days=30)),
        (2, closed_on + timedelta(days=90)),
    ]
    assert all(f.unit == world.town_a for f in followups)
    assert len({f.token for f in followups}) == 2 and all(len(f.token) >= 24 for f in followups)


@pytest.mark.django_db
def test_policy_row_changes_the_intervals(world):
    FollowUpPolicy.objects.create(days="7, 60, 180")
    petition = concluded_petition(world)
    assert petition.followups.count() == 3


@pytest.mark.django_db
def test_reminder_run_catches_up_on_closed_petitions_idempotently(world):
    petition = concluded_petition(world)
    petition.followups.all().delete()
    assert schedule_missing_followups() == 2
    assert reminders.run_once() == 0
    assert petition.followups.count() == 2


@pytest.mark.django_db
def test_unsolved_follow_up_reopens_the_petition_and_is_counted(world):
    petition = concluded_petition(world)
    followup = petition.followups.get(seq=1)
    assert unsolved_count(world.town_a) == 0
    actions.followup_record(
        actor=world.registrar,
        followup=followup,
        answer="not_solved",
        comment="停车费仍未退还",
        method="phone",
    )
    petition.refresh_from_db()
    followup.refresh_from_db()
    assert petition.status == Status.HANDLING
    assert followup.reopened is True and followup.status == FollowUpStatus.DONE
    reopen = petition.events.get(action=EventAction.REOPEN)
    assert reopen.actor == world.registrar and "回访" in reopen.reason
    assert unsolved_count(world.town_a) == 1
    assert unsolved_count(world.town_b) == 0
    assert followup_counts()["reopened"] == 1
    with pytest.raises(WrongState):
        actions.followup_record(actor=world.registrar, followup=followup, answer="solved", method="phone")


@pytest.mark.django_db
def test_solved_answer_leaves_the_petition_closed(world):
    petition = concluded_petition(world)
    actions.followup_record(
        actor=world.registrar, followup=petition.followups.get(seq=1), answer="solved", method="visit"
    )
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and unsolved_count() == 0


@pytest.mark.django_db
def test_only_bureau_registrars_and_leaders_record_follow_ups(world):
    petition = concluded_petition(world)
    with pytest.raises(Forbidden):
        actions.followup_record(
            actor=world.handler_a, followup=petition.followups.first(), answer="solved", method="phone"
        )


@pytest.mark.django_db
def test_portal_questionnaire_answer_reopens_with_the_bureau_system_account(client, world):
    petition = concluded_petition(world)
    followup = petition.followups.get(seq=1)
    url = f"/commitments/followup/{followup.token}/"
    assert client.get(url).status_code == 200
    assert client.get("/commitments/followup/not-a-token/").status_code == 404
    response = client.post(url, {"answer": "not_solved", "comment": "物业仍在多收费"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.HANDLING
    reopen = petition.events.get(action=EventAction.REOPEN)
    assert reopen.actor.username == f"system-followup-{world.bureau.pk}"
    assert not reopen.actor.is_active and not reopen.actor.has_usable_password()
    assert unsolved_count() == 1
    # one answer per token
    client.post(url, {"answer": "solved"})
    followup.refresh_from_db()
    assert followup.answer == "not_solved"


@pytest.mark.django_db
def test_final_matter_is_not_reopened_but_marked_for_bureau_follow_up(world):
    petition = advance(make_petition(world), world, to="final")
    assert petition.status == Status.CLOSED and petition.is_final
    followup = petition.followups.get(seq=1)
    actions.followup_record(
        actor=world.bureau_leader, followup=followup, answer="not_solved", comment="仍未解决", method="phone"
    )
    petition.refresh_from_db()
    followup.refresh_from_db()
    assert petition.status == Status.CLOSED
    assert followup.needs_action and not followup.reopened
    assert unsolved_count() == 1


@pytest.mark.django_db
def test_follow_up_pages_and_api(client, world):
    petition = concluded_petition(world)
    followup = petition.followups.get(seq=1)
    client.force_login(world.registrar)
    for url in [
        "/commitments/",
        "/commitments/followups/?state=scheduled",
        f"/commitments/followups/{followup.pk}/",
        f"/commitments/new/?petition={petition.pk}",
    ]:
        assert client.get(url).status_code == 200, url
    api = TestClient(router)
    listed = api.get("/followups", user=world.registrar).json()
    assert {f["id"] for f in listed} == set(petition.followups.values_list("pk", flat=True))
    r = api.post(
        f"/followups/{followup.pk}/answer",
        json={"answer": "partly", "comment": "部分退费"},
        user=world.registrar,
    )
    assert r.status_code == 200 and r.json()["answer"] == "partly"
    r = api.post(f"/followups/{followup.pk}/answer", json={"answer": "bogus"}, user=world.registrar)
    assert r.status_code in (400, 409)
    assert FollowUp.objects.get(pk=followup.pk).answer == "partly"


def test_the_followup_account_works_at_the_desk_that_holds_the_matter(world):
    """A matter the city sent down (交办) to 海州区 is reopened by 海州区's desk, which holds it:
    an account of the registering city bureau may not act in the district's place (issue 14)."""
    from xinfang.petitions import actions as pa
    from xinfang.testing import make_city, make_petition

    from ..followups import system_actor_for

    city = make_city(world)
    petition = make_petition(world, actor=city.city_registrar)
    pa.petition_classify(actor=city.city_registrar, petition=petition, petition_class="claim", claim_route=6)
    pa.petition_transfer(actor=city.city_registrar, petition=petition, unit=world.bureau, assign=True)
    petition.refresh_from_db()
    assert system_actor_for(petition).unit == world.bureau
