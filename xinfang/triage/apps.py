from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "xinfang.triage"
    label = "triage"
    verbose_name = _("智能研判")

    def ready(self) -> None:
        from . import signals  # noqa: F401
