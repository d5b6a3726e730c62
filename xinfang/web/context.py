"""Template context shared by every page."""

from django.conf import settings


def site(request) -> dict:
    return {
        "SITE_NAME": "信访工作平台",
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
    }
