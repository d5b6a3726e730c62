"""Template context shared by every page."""

from django.utils.translation import gettext_lazy as _

from xinfang.portal.links import public_url

from .nav import items_for


def site(request) -> dict:
    return {
        "SITE_NAME": _("信访工作平台"),
        "PORTAL_URL": public_url(),
        "nav_items": items_for(getattr(request, "user", None)),
    }
