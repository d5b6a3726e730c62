"""Template context shared by every page."""

from xinfang.portal.links import public_url

from .nav import items_for


def site(request) -> dict:
    return {
        "SITE_NAME": "信访工作平台",
        "PORTAL_URL": public_url(),
        "nav_items": items_for(getattr(request, "user", None)),
    }
