"""Input limits of a petition, the same for the desk, the portal and the API.

The registration action (actions/intake.validate_input) enforces them; forms
and API schemas use the same numbers for early feedback.

Receipt time: not before RECEIVED_FLOOR and not later than now + CLOCK_SKEW.
2000-01-01 leaves room to enter older paper files (the 2005 and 1995
regulations' cases) while refusing typing errors such as 1900 or year 1,
which would be numbered 〔1900〕 and overflow date arithmetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from xinfang.lib.text import is_blank

TITLE_MAX_CHARS = 200
REQUEST_MAX_CHARS = 5_000
FACTS_MAX_CHARS = 20_000
CONTENT_MAX_CHARS = 50_000
EMAIL_MAX_CHARS = 254
RECEIVED_FLOOR = datetime(2000, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)


def received_at_problem(value: datetime | None) -> str | None:
    """A Chinese message when `value` is not a plausible receipt time."""
    if value is None:
        return None
    floor = timezone.make_aware(RECEIVED_FLOOR) if timezone.is_aware(value) else RECEIVED_FLOOR
    if value < floor:
        return f"收到时间不能早于{RECEIVED_FLOOR:%Y年%m月%d日}"
    if timezone.is_aware(value) and value > timezone.now() + CLOCK_SKEW:
        return "收到时间不能晚于当前时间"
    return None


def text_problem(value: str, *, label: str, limit: int, required: bool) -> str | None:
    """Required text must show something (zero-width characters do not count)."""
    if required and is_blank(value):
        return f"请填写{label}"
    if len(value or "") > limit:
        return f"{label}不能超过{limit}字"
    return None


def email_problem(value: str) -> str | None:
    if not value:
        return None
    if len(value) > EMAIL_MAX_CHARS:
        return "电子邮箱过长"
    try:
        validate_email(value)
    except ValidationError:
        return "电子邮箱格式不正确"
    return None
