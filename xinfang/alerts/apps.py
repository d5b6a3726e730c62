from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "xinfang.alerts"
    label = "alerts"
    verbose_name = _("预警")

    def ready(self) -> None:
        from xinfang.web.nav import NavItem, register

        # Bureau staff, leaders and unit staff (who see their own unit's alerts).
        register(
            NavItem(
                _("预警中心"),
                "alerts:list",
                roles=frozenset(
                    {"registrar", "bureau_leader", "supervisor", "admin", "unit_leader", "handler"}
                ),
                order=60,
            )
        )
