from django.contrib import admin

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import JointHandling, JointParticipant, JointReceptionSession, LeaderBooking, LeaderReceptionSlot


@admin.register(JointReceptionSession)
class JointReceptionSessionAdmin(admin.ModelAdmin):
    list_display = ("date", "place", "leader_on_duty")
    date_hierarchy = "date"
    filter_horizontal = ("units", "staff")


class ParticipantInline(admin.TabularInline):
    model = JointParticipant
    extra = 0
    readonly_fields = ("part", "position", "status", "stated_at")


@admin.register(JointHandling)
class JointHandlingAdmin(PetitionScopedAdmin):
    """Read-mostly: changes go through the staff pages so every step reaches the timeline."""

    list_display = ("petition", "mode", "lead_unit", "status", "opened_at")
    list_filter = ("mode", "status")
    inlines = [ParticipantInline]
    readonly_fields = (
        "petition",
        "status",
        "answer_text",
        "answer_parts",
        "answer_by",
        "answer_at",
        "closed_by",
        "closed_at",
        "opened_by",
    )


@admin.register(LeaderReceptionSlot)
class LeaderReceptionSlotAdmin(admin.ModelAdmin):
    list_display = (
        "date",
        "start_time",
        "end_time",
        "leader",
        "place",
        "capacity",
        "booked_count",
        "is_cancelled",
    )
    list_filter = ("is_cancelled",)
    readonly_fields = ("booked_count",)


@admin.register(LeaderBooking)
class LeaderBookingAdmin(PetitionScopedAdmin):
    list_display = ("code", "slot", "name", "phone_masked", "status")
    list_filter = ("status",)
    exclude = ("phone_enc", "phone_hash")
    readonly_fields = (
        "code",
        "slot",
        "name",
        "phone_masked",
        "case_number",
        "petition",
        "topic",
        "created_at",
    )
