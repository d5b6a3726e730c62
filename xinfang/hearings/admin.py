"""Read-mostly admin: the roster is edited here or on the roster page; hearings
change only through the actions (the pages and the API)."""

from django.contrib import admin

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import Hearing, HearingMember, PanelSeat, PublishedHearingOpinion


@admin.register(HearingMember)
class HearingMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisation", "phone_masked", "user", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "organisation"]
    exclude = ["phone_enc"]
    readonly_fields = ["phone_masked"]
    filter_horizontal = ["related_units"]


class SeatInline(admin.TabularInline):
    model = PanelSeat
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in PanelSeat._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Hearing)
class HearingAdmin(PetitionScopedAdmin):
    list_display = ["petition", "scheduled_at", "place", "host", "status", "conclusion"]
    list_filter = ["status", "stage"]
    inlines = [SeatInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PublishedHearingOpinion)
class PublishedAdmin(PetitionScopedAdmin):
    petition_path = "hearing__petition"
    list_display = ["title", "published_at", "published_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
