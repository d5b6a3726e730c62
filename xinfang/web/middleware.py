"""Form and query input without control characters, for every page at once.

Replaces request.GET and request.POST by copies whose values went through
xinfang.lib.text.clean_text (tabs and newlines kept: a textarea needs them).
The JSON API cleans its bodies in xinfang.api.parser; uploaded files are not
touched.
"""

from __future__ import annotations

from django.http import QueryDict

from xinfang.lib.text import clean_text

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def cleaned(data: QueryDict) -> QueryDict:
    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        copy.setlist(clean_text(key), [clean_text(v, multiline=True) for v in values])
    copy._mutable = False
    return copy


class CleanInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = cleaned(request.GET)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            request.POST = cleaned(request.POST)
        return self.get_response(request)
