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
    dedupe_key = models.CharField(max_length=120, unique=True, verbose_name=_("去重键"))
    unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("单位"),
    )
    petition = models.ForeignKey(
        "petitions.Petition",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("信访事项"),
    )
    petitions = models.ManyToManyField(
        "petitions.Petition", blank=True, related_name="group_alerts", verbose_name=_("相关信访事项")
    )
    data = models.JSONField(default=dict, blank=True, verbose_name=_("数据"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("创建时间"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("确认人"),
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("确认时间"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_alerts",
        verbose_name=_("指派给"),
    )
    reported_up_at = models.DateTimeField(_("上报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind", "created_at"])]

    def __str__(self) -> str:
        return self.title


class AlertNotice(models.Model):
    """An in-app notice of an alert, for one user or for everyone in a unit."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_notices",
    )
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("预警通知")
        verbose_name_plural = _("预警通知")
        # Created by the stats app, where these models first lived: the table and index names stay.
        db_table = "stats_alertnotice"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="stats_alert_user_id_929f37_idx"),
            models.Index(fields=["unit", "read_at"], name="stats_alert_unit_id_8df540_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.reason}"


class ReportUpKind(models.TextChoices):
    SAME_LEVEL = "same_level", _("报告本级党委和政府")
    COMPETENT_DEPARTMENT = "competent_dept", _("通报相关主管部门")
    JOINT_CONFERENCE = "joint_conference", _("通报本级信访工作联席会议办公室")
    UPPER_BUREAU = "upper_bureau", _("报告上一级信访部门")
    NATIONAL_BUREAU = "national_bureau", _("同时报告国家信访局")


class ReportUp(models.Model):
    """Art. 25: a major or urgent matter reported to the same-level leadership,
    the competent department and the joint conference office (①), and to the
    petition bureau one level up and the National Public Complaints and
    Proposals Administration (②).  `unit` is empty for a body outside the tree."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="reports_up")
    kind = models.CharField(max_length=16, choices=ReportUpKind.choices)
    unit = models.ForeignKey("units.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(max_length=100)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("预警上报")
        verbose_name_plural = _("预警上报")
        db_table = "stats_reportup"
        unique_together = [("alert", "kind")]
        ordering = ["reported_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit_name}"
