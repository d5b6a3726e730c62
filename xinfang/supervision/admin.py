"""Read-only admin: notices and proposals change only through the actions."""

from django.contrib import admin

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import AccountabilityProposal, SupervisionNotice


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(PetitionScopedAdmin, ReadOnly):
    list_display = ["number", "unit", "trigger", "issued_at", "reply_due", "status", "flagged"]
    list_filter = ["status", "flagged", "trigger"]
    search_fields = ["number", "unit__name"]


@admin.register(AccountabilityProposal)
class ProposalAdmin(PetitionScopedAdmin, ReadOnly):
    list_display = ["title", "kind", "unit", "proposed_at", "response_due", "adoption"]
    list_filter = ["kind", "adoption"]
