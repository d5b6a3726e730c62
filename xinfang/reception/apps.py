from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "xinfang.reception"
    label = "reception"
    verbose_name = _("联合接访与领导接访")

    def ready(self) -> None:
        from xinfang.petitions import access
        from xinfang.web.nav import NavItem, register

        from .access import joint_scope_q

        if joint_scope_q not in access.SCOPE_EXTENSIONS:
            access.SCOPE_EXTENSIONS.append(joint_scope_q)
        register(NavItem(_("联合接访"), "reception:sessions", order=40, bureau_only=True))
        register(NavItem(_("联合办理"), "reception:joint_list", order=41))
        register(NavItem(_("领导接访"), "reception:slots", order=42))
