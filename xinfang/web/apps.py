from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "xinfang.web"
    label = "web"
    verbose_name = _("工作平台")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from xinfang.accounts.models import Role

        from .nav import NavItem, register

        register(NavItem(_("首页"), "home", order=0))
        register(
            NavItem(
                _("登记台"),
                "desk",
                roles=frozenset({Role.REGISTRAR, Role.BUREAU_LEADER, Role.HANDLER, Role.UNIT_LEADER}),
                order=10,
            )
        )
