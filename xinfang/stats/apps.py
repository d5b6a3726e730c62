from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    label = "stats"

    def ready(self) -> None:
        from xinfang.web.nav import NavItem, register

        register(
            NavItem(
                "统计分析",
                "stats:home",
                roles=frozenset(
                    {"registrar", "bureau_leader", "supervisor", "admin", "unit_leader", "handler"}
                ),
                order=70,
            )
        )
