from django.apps import AppConfig


class OwnershipConfig(AppConfig):
    name = "xinfang.ownership"
    label = "ownership"
