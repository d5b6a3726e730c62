from django.apps import AppConfig


class HearingsConfig(AppConfig):
    name = "xinfang.hearings"
    label = "hearings"
