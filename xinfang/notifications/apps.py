from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    label = "notifications"
