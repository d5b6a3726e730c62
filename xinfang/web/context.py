"""Template context shared by every page."""

from django.conf import settings

from .nav import items_for


def site(request) -> dict:
    return {
        "SITE_NAME": "信访工作平台",
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        "nav_items": items_for(getattr(request, "user", None)),
    }
