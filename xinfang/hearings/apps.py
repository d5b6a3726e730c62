from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "xinfang.hearings"
    label = "hearings"
    verbose_name = _("信访听证")

    def ready(self) -> None:
        from xinfang.web.nav import NavItem, register

        staff = frozenset({"registrar", "bureau_leader", "admin", "handler", "unit_leader", "supervisor"})
        register(NavItem(_("听证"), "hearings:list", roles=staff, order=50))
        register(
            NavItem(
                _("听证员库"),
                "hearings:members",
                roles=frozenset({"registrar", "bureau_leader", "admin"}),
                order=51,
                bureau_only=True,
            )
        )
        register(NavItem(_("我的听证"), "hearings:mine", roles=frozenset({"hearing_member"}), order=10))
