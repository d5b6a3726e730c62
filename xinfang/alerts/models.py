"""Early warnings (预警).  One row per warning; `dedupe_key` makes raising a
warning idempotent, so two workers never raise the same one twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", _("临期")
    OVERDUE = "overdue", _("超期")
    SURGE = "surge", _("激增")
    COLLECTIVE = "collective", _("集体访苗头")
    REPEAT_ESCALATION = "repeat_escalation", _("重复访升级")
    SKIP_LEVEL = "skip_level", _("越级访")
    URGENT = "urgent", _("重大紧急")
    UNDELIVERED = "undelivered", _("文书未送达")


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("预警")
    CRITICAL = "critical", _("严重")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    ASSIGNED = "assigned", _("已指派")
    CLOSED = "closed", _("已关闭")


class Alert(models.Model):
    kind = models.CharField(_("类型"), max_length=24, choices=AlertKind.choices, db_index=True)
    severity = models.CharField(_("级别"), max_length=12, choices=Severity.choices, default=Severity.WARNING)
    status = models.CharField(_("状态"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(_("标题"), max_length=200)
    dedupe_key = models.CharField(max_length=120, unique=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    petition = models.ForeignKey(
        "petitions.Petition", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    petitions = models.ManyToManyField("petitions.Petition", blank=True, related_name="group_alerts")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
    )
    reported_up_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind", "created_at"])]

    def __str__(self) -> str:
        return self.title
