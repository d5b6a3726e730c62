from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "xinfang.units"
    label = "units"
    verbose_name = _("机关单位与分类")
