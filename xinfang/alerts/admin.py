from django.contrib import admin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "severity", "status", "title", "unit"]
    list_filter = ["kind", "severity", "status"]
    raw_id_fields = ["petition", "petitions"]
