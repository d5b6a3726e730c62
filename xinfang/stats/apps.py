from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "xinfang.stats"
    label = "stats"
