from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnershipConfig(AppConfig):
    name = "xinfang.ownership"
    label = "ownership"
    verbose_name = _("领导包案与积案化解")

    def ready(self) -> None:
        from xinfang.web.nav import NavItem, register

        register(
            NavItem(
                _("我的包案"), "ownership:mine", roles=frozenset({"bureau_leader", "unit_leader"}), order=44
            )
        )
        register(NavItem(_("领导包案"), "ownership:list", order=45, bureau_only=True))
        register(NavItem(_("积案化解"), "ownership:backlog", order=46))
        register(NavItem(_("提醒"), "ownership:reminders", order=90))
