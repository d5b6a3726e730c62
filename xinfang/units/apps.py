from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xinfang.units"
    label = "units"
    verbose_name = "机关单位与分类"
