from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.admin_scope import AreaScopedAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(AreaScopedAdmin, BaseUserAdmin):
    """A bureau's administrator manages the staff of their bureau's area only; the
    unit is required for them (an account with no unit would leave the area)."""

    list_display = ["username", "full_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("信访"), {"fields": ["full_name", "title", "role", "unit"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("信访"), {"fields": ["full_name", "role", "unit"]}),)
    autocomplete_fields = ["unit"]
    area_unit_fields = ("unit",)
    area_required_fields = ("unit",)


@admin.register(ApiToken)
class ApiTokenAdmin(AreaScopedAdmin):
    list_display = ["user", "name", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["token_hash"]
    unit_path = "user__unit"
    area_user_fields = ("user",)
