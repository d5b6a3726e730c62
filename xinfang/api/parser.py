"""The API's request parser: every string of a JSON body or query string goes
through xinfang.lib.text.clean_text, so no endpoint stores a control character
(NUL broke PostgreSQL, BEL/ESC the Excel export and DOCX downloads)."""

from __future__ import annotations

import json

from ninja.parser import Parser

from xinfang.lib.text import clean_text


def clean(value):
    """`value` (parsed JSON) with control characters removed from every string,
    tabs and newlines kept (multi-line fields need them)."""
    if isinstance(value, str):
        return clean_text(value, multiline=True)
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    return value


class CleanParser(Parser):
    def parse_body(self, request):
        return clean(json.loads(request.body))

    def parse_querydict(self, data, list_fields, request):
        return clean(super().parse_querydict(data, list_fields, request))
