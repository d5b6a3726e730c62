"""Editing schedules in the Django admin."""

from datetime import date

import pytest
from django.urls import reverse

from xinfang.calendars.models import HolidaySchedule
from xinfang.calendars.service import get_calendar
from xinfang.calendars.signals import schedule_loaded

pytestmark = pytest.mark.django_db


def form_data(*days):
    data = {
        "year": "2027",
        "source": "国务院办公厅关于2027年部分节假日安排的通知",
        "days-TOTAL_FORMS": str(len(days)),
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for i, (day, is_workday, name) in enumerate(days):
        data[f"days-{i}-date"] = day
        data[f"days-{i}-name"] = name
        if is_workday:
            data[f"days-{i}-is_workday"] = "on"
    return data


def test_admin_add_records_the_user_and_announces_the_year(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    received = []
    schedule_loaded.connect(
        lambda sender, year, **kw: received.append(year), weak=False, dispatch_uid="admin-test"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("admin:calendars_holidayschedule_add"),
                form_data(("2027-01-01", False, "元旦"), ("2027-01-09", True, "调休上班")),
            )
    finally:
        schedule_loaded.disconnect(dispatch_uid="admin-test")
    assert response.status_code == 302
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.loaded_by == admin_user and schedule.days.count() == 2
    assert received == [2027]
    assert get_calendar().is_workday(date(2027, 1, 9))


def test_admin_rejects_a_day_outside_the_year_and_a_weekday_make_up(admin_client):
    response = admin_client.post(
        reverse("admin:calendars_holidayschedule_add"),
        form_data(("2026-12-31", False, "元旦"), ("2027-01-04", True, "调休上班")),
    )
    assert response.status_code == 200
    assert not HolidaySchedule.objects.exists()
    body = response.content.decode()
    assert "不在 2027 年内" in body and "本来就是工作日" in body
