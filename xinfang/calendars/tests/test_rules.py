"""Every statutory rule through compute_due, with real 2025 dates (start Mon 3 March 2025)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from xinfang.calendars.rules import RULE_SPECS, DayUnit, DeadlineRule, rule_spec
from xinfang.calendars.service import compute_due
from xinfang.lib.deadlines import DueDate

START = date(2025, 3, 3)

EXPECTED = {
    DeadlineRule.ROUTE: date(2025, 3, 18),
    DeadlineRule.NOTIFY: date(2025, 3, 18),
    DeadlineRule.OBJECT: date(2025, 3, 10),  # 5 working days: 4–7 and 10 March
    DeadlineRule.CONCLUDE: date(2025, 5, 6),  # day 60 is 2 May, inside the 1–5 May holiday
    DeadlineRule.EXTEND: date(2025, 4, 2),
    DeadlineRule.SIMPLE: date(2025, 3, 17),  # 10 working days
    DeadlineRule.REVIEW_REQUEST: date(2025, 4, 2),
    DeadlineRule.REVIEW_ANSWER: date(2025, 4, 2),
    DeadlineRule.REREVIEW_REQUEST: date(2025, 4, 2),
    DeadlineRule.REREVIEW_ANSWER: date(2025, 4, 2),
    DeadlineRule.ASSIGN_REPORT: date(2025, 4, 2),
    DeadlineRule.JURISDICTION: date(2025, 3, 18),
    DeadlineRule.IMPLEMENT: date(2025, 4, 2),
}


def test_every_rule_has_a_spec_and_an_expectation():
    assert set(RULE_SPECS) == set(DeadlineRule) == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", list(DeadlineRule))
def test_rule_default_due_date(rule):
    assert compute_due(rule, START) == DueDate(EXPECTED[rule], provisional=False)


def test_statutory_defaults_and_articles():
    assert (rule_spec("route").days, rule_spec("route").unit) == (15, DayUnit.CALENDAR)
    assert rule_spec(DeadlineRule.OBJECT).text == "5个工作日"
    assert rule_spec(DeadlineRule.SIMPLE).unit == DayUnit.WORKING
    assert rule_spec(DeadlineRule.CONCLUDE).text == "60日"
    assert rule_spec(DeadlineRule.ROUTE).article == "《信访工作条例》第二十二条"
    assert rule_spec(DeadlineRule.EXTEND).article == "《信访工作条例》第三十四条"
    assert rule_spec(DeadlineRule.REREVIEW_ANSWER).article == "《信访工作条例》第三十六条"
    assert DeadlineRule.OBJECT.label == "提出异议"


@pytest.mark.django_db
def test_settings_switch_a_rule_to_working_days(settings):
    settings.DEADLINE_WORKING_DAY_RULES = ["conclude", "ROUTE"]
    assert rule_spec(DeadlineRule.CONCLUDE).unit == DayUnit.WORKING
    assert rule_spec(DeadlineRule.NOTIFY).unit == DayUnit.CALENDAR
    # 15 working days from 3 March 2025: 4–7, 10–14, 17–21, 24 March.
    assert compute_due(DeadlineRule.ROUTE, START).date == date(2025, 3, 24)


def test_unknown_working_day_rule_is_a_configuration_error(settings):
    settings.DEADLINE_WORKING_DAY_RULES = ["conclude", "acceptance"]
    with pytest.raises(ImproperlyConfigured, match="acceptance"):
        rule_spec(DeadlineRule.CONCLUDE)


@pytest.mark.django_db
def test_assignment_takes_the_bureau_period():
    assert compute_due(DeadlineRule.ASSIGN_REPORT, START, days=10).date == date(2025, 3, 13)


@pytest.mark.django_db
def test_extension_is_capped_at_30_days():
    assert compute_due(DeadlineRule.EXTEND, date(2025, 5, 6), days=20).date == date(2025, 5, 26)
    with pytest.raises(ValueError, match="30"):
        compute_due(DeadlineRule.EXTEND, date(2025, 5, 6), days=31)


@pytest.mark.django_db
def test_hearing_time_is_not_counted_in_rereview():
    due = compute_due(DeadlineRule.REREVIEW_ANSWER, START, pauses=[(date(2025, 3, 10), date(2025, 3, 14))])
    assert due.date == date(2025, 4, 7)


@pytest.mark.django_db
def test_aware_datetime_counts_from_the_shanghai_date():
    # 3 March 2025 17:30 UTC is 4 March 01:30 in Shanghai: counting starts on 5 March.
    received = datetime(2025, 3, 3, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert compute_due(DeadlineRule.ROUTE, received).date == date(2025, 3, 19)
    with pytest.raises(ValueError):
        compute_due(DeadlineRule.ROUTE, datetime(2025, 3, 3, 9, 0))
