from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.admin_scope import PetitionScopedAdmin

from .models import Notification, NotificationStatus


@admin.register(Notification)
class NotificationAdmin(PetitionScopedAdmin):
    """Read-only: messages are created by the workflow and sent by the worker."""

    list_display = [
        "pk",
        "petition",
        "channel",
        "recipient_masked",
        "template",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["petition__case_number"]
    list_select_related = ["petition"]
    fields = [
        "petition",
        "channel",
        "recipient_masked",
        "template",
        "body_masked",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("重新发送所选失败的通知"))
    def retry_now(self, request, queryset):
        count = queryset.filter(status=NotificationStatus.FAILED).update(
            status=NotificationStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        self.message_user(request, f"已重新排队 {count} 条通知")
