from django.contrib import admin

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(PetitionScopedAdmin):
    petition_m2m = "petitions"
    list_display = ["created_at", "kind", "severity", "status", "title", "unit"]
    list_filter = ["kind", "severity", "status"]
    raw_id_fields = ["petition", "petitions"]
