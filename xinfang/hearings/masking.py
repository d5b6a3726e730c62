"""Masking personal data in text published to the public (no Django needed)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from xinfang.lib.crypto import mask_name

# 18-digit ID numbers (last may be X) and old 15-digit ones.
ID_RE = re.compile(
    r"(?<![0-9])(?:[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]|[1-9]\d{14})(?![0-9Xx])"
)
# Mobile numbers (with an optional +86) and landlines such as 0518-85800000.
PHONE_RE = re.compile(
    r"(?<![0-9])(?:(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}[-\s]?\d{7,8})(?![0-9])"
)

ID_MASK = "[身份证号已隐去]"
PHONE_MASK = "[电话已隐去]"


def mask_text(text: str, names: Iterable[str]) -> str:
    """`text` with every given name replaced by its masked form (张三丰 → 张**)
    and every ID number or phone number removed."""
    text = ID_RE.sub(ID_MASK, text)
    text = PHONE_RE.sub(PHONE_MASK, text)
    # Longest names first, so that 张三丰 is not half-masked as 张*丰.
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text
