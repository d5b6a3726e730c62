from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.hearings import actions
from xinfang.hearings.models import Hearing, HearingStatus
from xinfang.testing import make_user

from .helpers import make_roster, rereview_petition, schedule

pytestmark = pytest.mark.django_db


def _seated_hearing(world, members, **fields):
    petition = rereview_petition(world, **fields)
    hearing = schedule(world, petition)
    actions.hearing_select_panel(actor=world.bureau_leader, hearing=hearing, members=members)
    return hearing


def test_hearing_member_sees_only_their_hearings(world, client):
    members = make_roster(world, 5)
    mine = _seated_hearing(world, members[:3], title="我参加的听证事项")
    other = _seated_hearing(world, members[1:4], title="别人的听证事项")
    client.force_login(world.hearing_member)
    page = client.get("/hearings/mine/")
    assert page.status_code == 200
    assert "我参加的听证事项" in page.content.decode() and "别人的听证事项" not in page.content.decode()
    assert client.get(f"/hearings/{mine.pk}/").status_code == 200
    assert client.get(f"/hearings/{other.pk}/").status_code == 404
    assert client.get("/hearings/").status_code == 302  # sent to their own list
    assert client.get(f"/hearings/new/{mine.petition_id}/").status_code == 404
    # A member who recused no longer sees the hearing.
    seat = mine.seats.get(member=members[0])
    actions.hearing_recuse_member(actor=world.hearing_member, seat=seat, reason="利害关系")
    assert client.get(f"/hearings/{mine.pk}/").status_code == 404


def test_member_enters_own_opinion_on_the_page(world, client):
    members = make_roster(world, 3)
    hearing = _seated_hearing(world, members)
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())
    client.force_login(world.hearing_member)
    response = client.post(
        f"/hearings/{hearing.pk}/opinion/", {"opinion": "explain", "reasoning": "诉求合理但缺乏依据"}
    )
    assert response.status_code == 302
    seat = hearing.seats.get(member=members[0])
    assert seat.opinion == "explain" and seat.opinion_recorded_by == world.hearing_member
    # Not a manager: cannot conclude.
    client.post(
        f"/hearings/{hearing.pk}/conclude/",
        {"concluded_on": timezone.localdate().isoformat(), "conclusion_text": "x"},
    )
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.HELD


def test_staff_schedule_and_select_panel_through_pages(world, client):
    members = make_roster(world, 4)
    members[3].related_people = "张三"
    members[3].save()
    petition = rereview_petition(world)
    client.force_login(world.bureau_leader)
    when = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/hearings/new/{petition.pk}/",
        {"scheduled_at": when, "place": "市信访局听证室", "host": world.bureau_leader.pk},
    )
    hearing = Hearing.objects.get(petition=petition)
    assert response.status_code == 302 and response["Location"] == f"/hearings/{hearing.pk}/"
    response = client.post(
        f"/hearings/{hearing.pk}/panel/", {"members": [m.pk for m in members]}, follow=True
    )
    body = response.content.decode()
    assert "自动回避" in body and "张三" in body
    assert hearing.seated().count() == 3
    assert client.get("/hearings/").status_code == 200
    assert client.get("/hearings/members/").status_code == 200


def test_published_opinions_are_public(world, client):
    members = make_roster(world, 3)
    hearing = _seated_hearing(world, members)
    actions.hearing_hold(actor=world.bureau_leader, hearing=hearing, held_on=timezone.localdate())
    for member in members:
        actions.hearing_record_opinion(
            actor=world.bureau_leader, hearing=hearing, member=member, opinion="not_support", reasoning="理由"
        )
    actions.hearing_conclude(
        actor=world.bureau_leader,
        hearing=hearing,
        concluded_on=timezone.localdate(),
        conclusion_text="张三反映的问题缺乏事实根据，联系电话13812345678。",
    )
    actions.hearing_publish(actor=world.bureau_leader, hearing=hearing)
    body = client.get("/hearings/published/").content.decode()
    assert "张*" in body and "张三" not in body and "13812345678" not in body


def test_roster_pages_are_for_bureau_staff(world, client):
    client.force_login(world.handler_a)
    assert client.get("/hearings/members/").status_code == 404
    client.force_login(world.registrar)
    response = client.post(
        "/hearings/members/new/",
        {
            "name": "陈律师",
            "kind": "lawyer",
            "phone": "13900001111",
            "related_people": "王五",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    body = client.get("/hearings/members/").content.decode()
    assert "陈律师" in body and "139****1111" in body and "13900001111" not in body


def test_petition_panel_snippet_lists_hearings(world, rf):
    from django.template.loader import render_to_string

    members = make_roster(world, 3)
    hearing = _seated_hearing(world, members)
    html = render_to_string(
        "hearings/petition_panel.html", {"petition": hearing.petition, "user": world.bureau_leader}
    )
    assert f"/hearings/{hearing.pk}/" in html
    other = rereview_petition(world)
    html = render_to_string("hearings/petition_panel.html", {"petition": other, "user": world.bureau_leader})
    assert f"/hearings/new/{other.pk}/" in html
    assert "安排听证" not in render_to_string(
        "hearings/petition_panel.html",
        {"petition": other, "user": make_user("sup2", "supervisor", world.bureau)},
    )
