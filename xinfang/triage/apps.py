from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "xinfang.triage"
    label = "triage"
    verbose_name = "智能研判"

    def ready(self) -> None:
        from . import signals  # noqa: F401
