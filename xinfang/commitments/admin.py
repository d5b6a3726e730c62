from django.contrib import admin

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import Commitment, FollowUp, FollowUpPolicy


@admin.register(FollowUpPolicy)
class FollowUpPolicyAdmin(admin.ModelAdmin):
    """Where the bureau sets the follow-up intervals (default 30 and 90 days)."""

    list_display = ("days", "default_method", "is_active", "updated_at")


@admin.register(Commitment)
class CommitmentAdmin(PetitionScopedAdmin):
    list_display = ("petition", "promised_by_unit", "owner", "due", "status", "missed_flagged_at")
    list_filter = ("status",)
    readonly_fields = ("petition", "status", "kept_at", "missed_flagged_at", "supervision_ref", "created_by")


@admin.register(FollowUp)
class FollowUpAdmin(PetitionScopedAdmin):
    list_display = ("petition", "seq", "due", "method", "status", "answer", "reopened")
    list_filter = ("status", "answer", "method")
    readonly_fields = ("petition", "close_event", "token", "answer", "answered_at", "recorded_by", "reopened")
