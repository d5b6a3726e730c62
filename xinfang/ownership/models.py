"""Leader case ownership (领导包案) and backlog cases (积案化解).

A named leader owns a hard case until it is resolved: a plan, milestones,
progress reports every `report_interval_days`, field visits (下访) and the
final resolution.  `next_report_due` is the indexed deadline the reminder run
watches; `reminder_sent_for` records the period already reminded so each
missed period yields exactly one reminder.

A backlog case (积案) is a long-standing matter tracked by age, owner, risk
and target date, with feedback reports owed to the level that assigned it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OwnershipStatus(models.TextChoices):
    ACTIVE = "active", _("包案中")
    RESOLVED = "resolved", _("已化解")
    RELEASED = "released", _("已解除")


class CaseOwnership(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("信访事项")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("指定人")
    )
    plan = models.TextField(_("化解方案"))
    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("开始时间"))
    status = models.CharField(
        _("状态"), max_length=10, choices=OwnershipStatus.choices, default=OwnershipStatus.ACTIVE
    )
    report_interval_days = models.PositiveIntegerField(_("报告周期（天）"), default=14)
    next_report_due = models.DateField(_("下次报告期限"), db_index=True)
    reminder_sent_for = models.DateField(null=True, blank=True, verbose_name=_("已提醒期次"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=_("结束时间"))
    end_reason = models.TextField(blank=True, verbose_name=_("结束原因"))

    class Meta:
        verbose_name = _("领导包案")
        verbose_name_plural = _("领导包案")
        ordering = ["next_report_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(status="active"), name="ownership_one_active_per_petition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} 包案 {self.petition_id}"

    def report_overdue(self, today: date | None = None) -> bool:
        return self.status == OwnershipStatus.ACTIVE and self.next_report_due < (
            today or timezone.localdate()
        )


class Milestone(models.Model):
    ownership = models.ForeignKey(CaseOwnership, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("计划完成日期"))
    done_at = models.DateTimeField(null=True, blank=True)
    evidence = models.TextField(_("完成情况"), blank=True)

    class Meta:
        verbose_name = _("化解节点")
        verbose_name_plural = _("化解节点")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    ownership = models.ForeignKey(CaseOwnership, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField(_("进展情况"))
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"进展报告 {timezone.localtime(self.at):%Y-%m-%d}"


class FieldVisit(models.Model):
    """下访: the leader visits the petitioner."""

    ownership = models.ForeignKey(CaseOwnership, on_delete=models.CASCADE, related_name="visits")
    date = models.DateField(_("下访日期"))
    place = models.CharField(_("地点"), max_length=200)
    participants = models.CharField(_("参加人员"), max_length=300)
    summary = models.TextField(_("下访情况"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("下访记录")
        verbose_name_plural = _("下访记录")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"下访 {self.date:%Y-%m-%d} {self.place}"


class ResolutionKind(models.TextChoices):
    PROMISE_TO_STOP = "promise_to_stop", _("息访承诺")
    STOPPED = "stopped", _("停访息诉")
    AGREEMENT = "agreement", _("达成协议")
    OTHER = "other", _("其他")


class Resolution(models.Model):
    ownership = models.OneToOneField(CaseOwnership, on_delete=models.CASCADE, related_name="resolution")
    kind = models.CharField(_("化解方式"), max_length=20, choices=ResolutionKind.choices)
    evidence = models.TextField(_("化解依据"))
    attachment = models.ForeignKey(
        "petitions.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(_("化解日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("化解结果")
        verbose_name_plural = _("化解结果")

    def __str__(self) -> str:
        return self.get_kind_display()


class BacklogSource(models.TextChoices):
    PROVINCE = "province", _("省交办")
    CITY = "city", _("市交办")
    SELF = "self", _("自排")


class Risk(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


RISK_RANK = {Risk.HIGH: 0, Risk.MEDIUM: 1, Risk.LOW: 2}


class BacklogStatus(models.TextChoices):
    OPEN = "open", _("化解中")
    RESOLVED = "resolved", _("已化解")


class BacklogQuerySet(models.QuerySet):
    def with_risk_rank(self) -> BacklogQuerySet:
        return self.annotate(
            risk_rank=Case(
                *[When(risk=k, then=Value(v)) for k, v in RISK_RANK.items()],
                default=Value(9),
                output_field=IntegerField(),
            )
        )

    def by_risk(self) -> BacklogQuerySet:
        """Highest risk first, then the oldest (earliest first petition)."""
        return self.with_risk_rank().order_by("risk_rank", "first_petition_date", "pk")

    def by_age(self) -> BacklogQuerySet:
        """Oldest first, then highest risk."""
        return self.with_risk_rank().order_by("first_petition_date", "risk_rank", "pk")

    def open(self) -> BacklogQuerySet:
        return self.filter(status=BacklogStatus.OPEN)


class BacklogCase(models.Model):
    petition = models.OneToOneField(
        "petitions.Petition", on_delete=models.PROTECT, related_name="backlog", verbose_name=_("信访事项")
    )
    source = models.CharField(_("来源"), max_length=10, choices=BacklogSource.choices)
    assigned_ref = models.CharField(_("交办文号"), max_length=60, blank=True)
    first_petition_date = models.DateField(_("首次信访日期"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        on_delete=models.PROTECT,
        related_name="backlog_cases",
    )
    target_date = models.DateField(_("化解时限"), db_index=True)
    risk = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices, default=Risk.MEDIUM)
    status = models.CharField(
        _("状态"), max_length=10, choices=BacklogStatus.choices, default=BacklogStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("化解时间"))
    resolution_note = models.TextField(blank=True, verbose_name=_("化解说明"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))

    objects = BacklogQuerySet.as_manager()

    class Meta:
        verbose_name = _("信访积案")
        verbose_name_plural = _("信访积案")

    def __str__(self) -> str:
        return f"积案 {self.petition_id}"

    def age_days(self, today: date | None = None) -> int:
        return ((today or timezone.localdate()) - self.first_petition_date).days

    @property
    def age_label(self) -> str:
        days = self.age_days()
        if days >= 365:
            return _("%(years)s年%(months)s个月") % {"years": days // 365, "months": (days % 365) // 30}
        return _("%(months)s个月%(days)s天") % {"months": days // 30, "days": days % 30}


class BacklogReportKind(models.TextChoices):
    FEEDBACK = "feedback", _("交办反馈")
    FINAL = "final", _("办结报告")


class BacklogReportDue(models.Model):
    backlog = models.ForeignKey(
        BacklogCase, on_delete=models.CASCADE, related_name="reports_due", verbose_name=_("积案")
    )
    due = models.DateField(_("报送期限"), db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=BacklogReportKind.choices)
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("报送时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送人"),
    )
    text = models.TextField(_("报告内容"), blank=True)
    reminded_for = models.DateField(null=True, blank=True, verbose_name=_("已提醒期次"))

    class Meta:
        verbose_name = _("积案报送期次")
        verbose_name_plural = _("积案报送期次")
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due:%Y-%m-%d}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.submitted_at is None and self.due < (today or timezone.localdate())


class Reminder(models.Model):
    """An in-app reminder for one user (包案报告、积案反馈、践诺到期 …).

    `key` is unique: whatever claims a period also writes its key, so a
    reminder exists at most once even if a claim were ever repeated."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("接收人")
    )
    key = models.CharField(max_length=100, unique=True, verbose_name=_("去重键"))
    kind = models.CharField(max_length=30, verbose_name=_("类型"))
    text = models.CharField(max_length=300, verbose_name=_("内容"))
    url = models.CharField(max_length=200, blank=True, verbose_name=_("链接"))
    petition = models.ForeignKey(
        "petitions.Petition",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("信访事项"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("阅读时间"))

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text
