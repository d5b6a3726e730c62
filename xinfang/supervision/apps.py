from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "xinfang.supervision"
    label = "supervision"
    verbose_name = _("督办与追责")

    def ready(self) -> None:
        from xinfang.web.nav import NavItem, register

        register(
            NavItem(
                _("督办"),
                "supervision:list",
                roles=frozenset({"supervisor", "bureau_leader", "registrar", "admin"}),
                order=60,
                bureau_only=True,
            )
        )
        register(
            NavItem(_("督办函"), "supervision:inbox", roles=frozenset({"handler", "unit_leader"}), order=60)
        )
        register(
            NavItem(
                _("建议"),
                "supervision:proposals",
                roles=frozenset(
                    {"supervisor", "bureau_leader", "registrar", "admin", "handler", "unit_leader"}
                ),
                order=61,
            )
        )
