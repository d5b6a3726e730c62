from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "xinfang.alerts"
    label = "alerts"
