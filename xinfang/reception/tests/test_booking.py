from datetime import time, timedelta

import pytest
from django.utils import timezone

from xinfang.lib import crypto
from xinfang.petitions.errors import ActionError, WrongState
from xinfang.reception import actions, public
from xinfang.reception.models import BookingStatus, LeaderBooking
from xinfang.testing import make_petition


def _slot(world, capacity=2, days=3):
    return actions.slot_create(
        actor=world.registrar,
        leader=world.bureau_leader,
        date=timezone.localdate() + timedelta(days=days),
        start_time=time(9),
        end_time=time(11, 30),
        capacity=capacity,
        topic="物业管理",
    )


@pytest.mark.django_db
def test_booking_respects_capacity_and_cancelling_frees_a_place(world):
    slot = _slot(world, capacity=2)
    first = actions.booking_create(slot=slot, name="张三", phone="13800000001", topic="停车费")
    actions.booking_create(slot=slot, name="李四", phone="13800000002", topic="停车费")
    with pytest.raises(ActionError) as exc:
        actions.booking_create(slot=slot, name="王五", phone="13800000003", topic="停车费")
    assert exc.value.code == "full"
    slot.refresh_from_db()
    assert slot.booked_count == 2 and slot.remaining == 0

    actions.booking_set_status(actor=world.registrar, booking=first, status=BookingStatus.CANCELLED)
    slot.refresh_from_db()
    assert slot.booked_count == 1
    actions.booking_create(slot=slot, name="王五", phone="13800000003", topic="停车费")


@pytest.mark.django_db
def test_stale_slot_object_cannot_overbook(world):
    slot = _slot(world, capacity=1)
    stale = type(slot).objects.get(pk=slot.pk)
    actions.booking_create(slot=slot, name="张三", phone="13800000001", topic="a")
    with pytest.raises(ActionError):
        actions.booking_create(slot=stale, name="李四", phone="13800000002", topic="b")
    assert LeaderBooking.objects.count() == 1


@pytest.mark.django_db
def test_same_phone_books_a_slot_once_and_phone_is_stored_encrypted(world):
    slot = _slot(world)
    booking = actions.booking_create(slot=slot, name="张三", phone="138 0000 0001", topic="a")
    assert booking.phone_masked == "138****0001"
    assert "13800000001" not in booking.phone_enc
    assert crypto.decrypt(booking.phone_enc) == "13800000001"
    with pytest.raises(ActionError) as exc:
        actions.booking_create(slot=slot, name="张三", phone="13800000001", topic="a")
    assert exc.value.code == "duplicate"


@pytest.mark.django_db
def test_case_number_links_only_with_the_right_query_code(world):
    petition = make_petition(world)
    slot = _slot(world, capacity=5)
    with pytest.raises(ActionError) as exc:
        actions.booking_create(
            slot=slot,
            name="张三",
            phone="13800000001",
            topic="a",
            case_number=petition.case_number,
            query_code="X",
        )
    assert "query_code" in exc.value.fields
    code = crypto.decrypt(petition.query_code_enc)
    booking = actions.booking_create(
        slot=slot,
        name="张三",
        phone="13800000001",
        topic="a",
        case_number=petition.case_number,
        query_code=code,
    )
    assert booking.petition == petition
    assert petition.events.filter(action="mechanism", data__mechanism="leader_reception").exists()


@pytest.mark.django_db
def test_past_or_cancelled_slot_cannot_be_booked(world):
    slot = _slot(world)
    type(slot).objects.filter(pk=slot.pk).update(is_cancelled=True)
    slot.refresh_from_db()
    with pytest.raises(WrongState):
        actions.booking_create(slot=slot, name="张三", phone="13800000001", topic="a")


@pytest.mark.django_db
def test_public_booking_page_needs_no_login_and_books(client, world, monkeypatch):
    slot = _slot(world)
    response = client.get("/reception/booking/")
    assert response.status_code == 200
    assert "预约领导接访" in response.content.decode()
    monkeypatch.setattr(public, "captcha_module", lambda: None)
    response = client.post(
        "/reception/booking/", {"slot": slot.pk, "name": "张三", "phone": "13800000001", "topic": "停车费"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "预约成功" in body and "138****0001" in body and "13800000001" not in body
    assert LeaderBooking.objects.filter(slot=slot).count() == 1


@pytest.mark.django_db
def test_public_booking_checks_the_portal_captcha(client, world):
    slot = _slot(world)
    client.get("/reception/booking/")
    response = client.post(
        "/reception/booking/",
        {
            "slot": slot.pk,
            "name": "张三",
            "phone": "13800000001",
            "topic": "a",
            "captcha_id": "x",
            "captcha": "y",
        },
    )
    if public.captcha_module() is None:
        pytest.skip("portal captcha not installed")
    assert response.status_code == 400
    assert LeaderBooking.objects.count() == 0


@pytest.mark.django_db
def test_public_booking_is_rate_limited_per_address(client, world, monkeypatch):
    monkeypatch.setattr(public, "captcha_module", lambda: None)
    monkeypatch.setattr(public, "ATTEMPTS_PER_HOUR", 2)
    for _ in range(2):
        client.post("/reception/booking/", {"slot": "", "name": "", "phone": "", "topic": ""})
    slot = _slot(world)
    response = client.post(
        "/reception/booking/", {"slot": slot.pk, "name": "张三", "phone": "13800000001", "topic": "a"}
    )
    assert response.status_code == 400
    assert "频繁" in response.content.decode()
    assert LeaderBooking.objects.count() == 0
