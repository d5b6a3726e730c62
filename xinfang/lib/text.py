"""Cleaning user-supplied text, once, for every input and output.

Inputs (forms through web.forms.CleanTextMixin, API schemas through
api.schemas CleanStr, the portal) pass through `clean_text`: control
characters are removed (they broke the Excel export, DOCX downloads and the
database driver: NUL), tabs and newlines are kept only in multi-line fields.
Outputs that must not fail on rows stored before this cleaning (Excel, DOCX)
use `xml_safe`; spreadsheet cells use `spreadsheet_cell` (OWASP CSV/formula
injection guidance).
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab, LF and CR; DEL; C1 controls.  Unicode "noncharacters"
# and lone surrogates are not valid in XML either.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Characters that print nothing: zero-width spaces and joiners, word joiner,
# BOM, soft hyphen, bidi marks and overrides (used to disguise text).
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# A spreadsheet reads a cell beginning with one of these as a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` without control characters; CRLF/CR become LF.  A single-line
    field gets its tabs and line breaks turned into spaces."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if not multiline:
        value = value.replace("\t", " ").replace("\n", " ")
    return value


def is_blank(value: str) -> bool:
    """True when `value` shows nothing: only spaces, line breaks and zero-width characters."""
    return not _INVISIBLE.sub("", value or "").strip()


def visible_length(value: str) -> int:
    return len(_INVISIBLE.sub("", value or ""))


def xml_safe(value: str) -> str:
    """`value` with the characters XML 1.0 forbids removed (tab and newlines kept)."""
    return _CONTROL.sub("", value) if value else value


def spreadsheet_cell(value):
    """A value for an Excel or CSV cell: strings are XML-safe and never a formula.

    A string whose first non-blank character starts a formula (= + - @, or a
    tab/CR/LF) gets a leading apostrophe, as OWASP recommends, so Excel and
    LibreOffice show it as text.  Numbers, dates and None are left alone."""
    if not isinstance(value, str):
        return value
    value = xml_safe(value)
    stripped = unicodedata.normalize("NFKC", value).lstrip(" \u3000\u00a0")
    if value.startswith(_FORMULA_START) or stripped.startswith(_FORMULA_START):
        return "'" + value
    return value
