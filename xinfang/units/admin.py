from django.contrib import admin

from xinfang.petitions.admin_scope import AreaScopedAdmin, admin_area

from .models import Category, Unit


@admin.register(Unit)
class UnitAdmin(AreaScopedAdmin):
    """A bureau's administrator edits the units of their bureau's area only
    (and places new ones there); the top bureau's administrators edit all."""

    list_display = ["name", "code", "level", "kind", "case_prefix", "parent", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code", "keywords"]
    autocomplete_fields = ["parent"]
    unit_path = ""
    area_unit_fields = ("parent", "upper_department")
    area_required_fields = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        # The area's own government hangs from a unit outside the area: its place
        # in the tree is the top bureau's to change.
        root = admin_area(request.user)
        if root is not None and obj is not None and obj.pk == root.pk:
            return [*super().get_readonly_fields(request, obj), "parent"]
        return super().get_readonly_fields(request, obj)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
