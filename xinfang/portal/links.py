"""Public addresses of portal pages, for everything that leaves the building:
receipts, rights cards' QR codes, SMS and questionnaire links.

`settings.PORTAL_BASE_URL` is the public origin (scheme, host, port, and any
path prefix of the reverse proxy); the page paths come from the URL conf, so
a printed address is always a page that exists."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def public_url(view_name: str = "portal:home", *args, base: str | None = None, **query) -> str:
    path = reverse(view_name, args=args)
    url = (base or settings.PORTAL_BASE_URL).rstrip("/") + path
    return f"{url}?{urlencode(query)}" if query else url
