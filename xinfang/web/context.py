"""Template context shared by every page."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .nav import items_for


def site(request) -> dict:
    return {
        "SITE_NAME": _("信访工作平台"),
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        "nav_items": items_for(getattr(request, "user", None)),
    }
