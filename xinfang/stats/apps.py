from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    label = "stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from xinfang.web.nav import NavItem, register

        from .member_sync import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="stats_member_sync")

        register(
            NavItem(
                _("统计分析"),
                "stats:home",
                roles=frozenset(
                    {"registrar", "bureau_leader", "supervisor", "admin", "unit_leader", "handler"}
                ),
                order=70,
            )
        )
