from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "xinfang.calendars"
    label = "calendars"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from django.core import checks
        from django.core.exceptions import ImproperlyConfigured

        from . import receivers  # noqa: F401  (connects the cache invalidation)
        from .rules import configured_working_day_rules

        @checks.register()
        def check_working_day_rules(app_configs, **kwargs):
            try:
                configured_working_day_rules()
            except ImproperlyConfigured as exc:
                return [checks.Error(str(exc), id="calendars.E001")]
            return []
