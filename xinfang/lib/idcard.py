"""Validation of PRC resident ID numbers (GB 11643-1999) and mobile numbers."""

from __future__ import annotations

import re
from datetime import date

from .crypto import normalise

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str) -> bool:
    value = normalise(value)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_digit(value[:17]) == value[17]


def is_mobile(value: str) -> bool:
    """A mainland mobile number: the only kind of phone that receives our SMS."""
    return bool(re.fullmatch(r"1[3-9]\d{9}", normalise(value)))


def is_valid_phone(value: str) -> bool:
    """Mainland mobile numbers, or landlines such as 0518-85812345."""
    value = normalise(value)
    return bool(re.fullmatch(r"1[3-9]\d{9}", value) or re.fullmatch(r"0\d{2,3}\d{7,8}", value))
