from django.contrib import admin

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import BacklogCase, BacklogReportDue, CaseOwnership, Reminder


@admin.register(CaseOwnership)
class CaseOwnershipAdmin(PetitionScopedAdmin):
    list_display = ("petition", "leader", "status", "next_report_due", "report_interval_days")
    list_filter = ("status",)
    readonly_fields = ("petition", "status", "reminder_sent_for", "ended_at", "assigned_by")


class ReportDueInline(admin.TabularInline):
    model = BacklogReportDue
    extra = 0
    readonly_fields = ("submitted_at", "submitted_by", "text", "reminded_for")


@admin.register(BacklogCase)
class BacklogCaseAdmin(PetitionScopedAdmin):
    list_display = ("petition", "source", "risk", "first_petition_date", "owner", "target_date", "status")
    list_filter = ("source", "risk", "status")
    readonly_fields = ("petition", "status", "resolved_at", "created_by")
    inlines = [ReportDueInline]


@admin.register(Reminder)
class ReminderAdmin(PetitionScopedAdmin):
    list_display = ("created_at", "recipient", "kind", "text", "read_at")
    list_filter = ("kind",)
