"""Audit trail of reads of personal data and of other sensitive acts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW_ID_NUMBER = "view_id_number", _("查看身份证号")
    VIEW_PHONE = "view_phone", _("查看电话")
    VIEW_ADDRESS = "view_address", _("查看住址")
    REPRINT_RIGHTS_CARD = "reprint_rights_card", _("补打权益保障卡")
    EXPORT = "export", _("导出")
    LOOKUP = "lookup", _("按证件或电话查询")


class AuditLog(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("用户"),
    )
    at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("时间"))
    action = models.CharField(max_length=32, choices=AuditAction.choices, verbose_name=_("操作"))
    object_type = models.CharField(max_length=40, verbose_name=_("对象类型"))
    object_id = models.CharField(max_length=40, verbose_name=_("对象编号"))
    detail = models.CharField(max_length=200, blank=True, verbose_name=_("详情"))
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP地址"))

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.object_type}#{self.object_id}"


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit(*, user, action: str, obj, detail: str = "", request=None) -> AuditLog:
    """Write one audit row.  `detail` must never contain the personal data itself."""
    return AuditLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
        ip=client_ip(request),
    )
