"""Template context shared by every page."""

from django.utils.translation import gettext_lazy as _

from xinfang.portal.links import public_url
from xinfang.units.places import user_bureau

from .nav import items_for


def site(request) -> dict:
    return {
        "SITE_NAME": _("信访工作平台"),
        "PORTAL_URL": public_url(),
        "nav_items": items_for(getattr(request, "user", None)),
        # Every page names the bureau the user works in (or with): one installation
        # may hold a city's bureaus and its districts'.
        "USER_BUREAU": user_bureau(getattr(request, "user", None)),
    }
