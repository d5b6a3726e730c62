from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "xinfang.commitments"
    label = "commitments"
