"""Statistics tables: the daily rollup, its watermark, the monthly pick (每月一题)
and the alert follow-up rows (in-app notices, Art. 25 reports up).

`DailyStat` holds one row per (date, unit) with every count; `DailyVolume`
the petitions received per (date, unit, dimension, key) for the breakdowns by
category, town, channel, class and respondent (unit NULL = the whole bureau).
`xinfang.stats.rollup` explains how each count is attributed to a date and a
unit, and how the tables are kept current."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The count columns of DailyStat, in display order; rates.py defines what they mean.
MEASURES = (
    "received",
    "repeat",
    "skip_level",
    "collective",
    "urgent",
    "notify_due",
    "notify_on_time",
    "concluded",
    "concluded_on_time",
    "evaluated",
    "satisfied",
    "satisfied_strict",
    "resolved",
    "transferred",
    "assigned",
)


class DailyStat(models.Model):
    """Counts of one day for one unit (rollup.py says which day and unit each count belongs to)."""

    date = models.DateField()
    unit = models.ForeignKey(
        "units.Unit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    received = models.PositiveIntegerField(default=0)
    repeat = models.PositiveIntegerField(default=0)
    skip_level = models.PositiveIntegerField(default=0)
    collective = models.PositiveIntegerField(default=0)
    urgent = models.PositiveIntegerField(default=0)
    notify_due = models.PositiveIntegerField(default=0)
    notify_on_time = models.PositiveIntegerField(default=0)
    concluded = models.PositiveIntegerField(default=0)
    concluded_on_time = models.PositiveIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    satisfied_strict = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("每日统计")
        verbose_name_plural = _("每日统计")
        indexes = [models.Index(fields=["date", "unit"]), models.Index(fields=["unit", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.unit_id} {self.received}"


class VolumeDim(models.TextChoices):
    CATEGORY = "category", _("类别")
    TOWN = "town", _("属地")
    CHANNEL = "channel", _("渠道")
    CLASS = "class", _("性质")
    RESPONDENT = "respondent", _("被反映单位")


class DailyVolume(models.Model):
    """Petitions received on one day, by one dimension (category = top level).
    `unit` NULL holds the whole bureau's figures, so a district dashboard reads
    one small set of rows; otherwise the handling (else registering) unit."""

    date = models.DateField()
    unit = models.ForeignKey(
        "units.Unit", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    dim = models.CharField(max_length=12, choices=VolumeDim.choices)
    key = models.CharField(max_length=40, blank=True)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.unit_id} {self.dim}={self.key}: {self.received}"


class RollupState(models.Model):
    """The watermark of the incremental rollup (one row, name="daily")."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class MonthlyPick(models.Model):
    """每月一题: the recurring problem the bureau chose for a systemic fix."""

    month = models.DateField(_("月份"), help_text="该月第一天")
    label = models.CharField(_("问题"), max_length=200)
    keywords = models.JSONField(default=list, blank=True)
    petition_count = models.PositiveIntegerField(_("件数"), default=0)
    town_count = models.PositiveIntegerField(_("涉及属地数"), default=0)
    repeat_share = models.FloatField(_("重复访占比"), default=0)
    score = models.FloatField(default=0)
    petition_ids = models.JSONField(default=list, blank=True)
    is_chosen = models.BooleanField(_("已选定"), default=False)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("整改说明"), blank=True)

    class Meta:
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        ordering = ["-month", "-score"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.label}"


class AlertNotice(models.Model):
    """An in-app notice of an alert, for one user or for everyone in a unit."""

    alert = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="notices")
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
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["unit", "read_at"])]

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

    alert = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="reports_up")
    kind = models.CharField(max_length=16, choices=ReportUpKind.choices)
    unit = models.ForeignKey("units.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(max_length=100)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        unique_together = [("alert", "kind")]
        ordering = ["reported_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit_name}"
