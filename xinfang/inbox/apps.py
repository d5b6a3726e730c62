from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "xinfang.inbox"
    label = "inbox"
    verbose_name = "工作台列表"
