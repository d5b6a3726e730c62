"""Supervision (督办 / 挂牌督办, Art. 40) and proposals (改进工作、完善政策、
追究责任的建议, Art. 40) with the units' written replies and feedback.

Writes go through xinfang.supervision.actions.  `SupervisionEvent` is the
history of a notice or proposal (they need not concern one petition); when a
notice concerns a petition the step is also put on the petition's timeline.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    OVERDUE = "overdue", _("超期未办结")
    POOR_HANDLING = "poor_handling", _("办理质量不高")
    RULE_BREACH = "rule_breach", _("违反规定受理、办理")
    BUCK_PASSING = "buck_passing", _("推诿")
    PERFUNCTORY = "perfunctory", _("敷衍")
    DELAY = "delay", _("拖延")
    FALSIFICATION = "falsification", _("弄虚作假")
    REFUSAL = "refusal", _("拒不执行信访处理意见")
    MISSED_COMMITMENT = "missed_commitment", _("承诺事项未兑现")
    OTHER = "other", _("其他")


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("待回复")
    REPLIED = "replied", _("已回复待审核")
    ACCEPTED = "accepted", _("回复已认可")
    ESCALATED = "escalated", _("挂牌督办")
    CLOSED = "closed", _("已销号")


AWAITING_REPLY = {NoticeStatus.ISSUED, NoticeStatus.ESCALATED}
OPEN_NOTICE = {NoticeStatus.ISSUED, NoticeStatus.REPLIED, NoticeStatus.ACCEPTED, NoticeStatus.ESCALATED}


class NoticeQuerySet(models.QuerySet):
    def awaiting_reply(self) -> NoticeQuerySet:
        return self.filter(status__in=AWAITING_REPLY)

    def reply_overdue(self, today: date | None = None) -> NoticeQuerySet:
        return self.awaiting_reply().filter(reply_due__lt=today or timezone.localdate())

    def for_unit(self, unit) -> NoticeQuerySet:
        return self.filter(unit=unit)


class SupervisionNotice(models.Model):
    """督办函: the bureau asks a unit to put something right and reply in writing."""

    number = models.CharField(_("督办函编号"), max_length=40, unique=True)
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("信访事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_notices",
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("被督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    trigger = models.CharField(_("督办事由"), max_length=20, choices=Trigger.choices)
    facts = models.TextField(_("督办事项"))
    requirements = models.TextField(_("督办要求"), blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now, db_index=True)
    reply_due = models.DateField(_("回复期限"), db_index=True)
    reply_text = models.TextField(_("书面回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回复人"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    flagged = models.BooleanField(_("挂牌督办"), default=False)
    flagged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("挂牌时间"))
    # Set once by the reminder worker (compare-and-set) when the reply is late.
    reply_overdue_at = models.DateTimeField(null=True, blank=True, verbose_name=_("回复逾期时间"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("办结时间"))
    # What raised it automatically, e.g. "commitment:12"; unique when set.
    source = models.CharField(max_length=60, blank=True, default="", verbose_name=_("来源"))

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办函")
        verbose_name_plural = _("督办函")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["status", "reply_due"]), models.Index(fields=["unit", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="supervision_notice_source"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_reply_overdue(self) -> bool:
        return self.status in AWAITING_REPLY and self.reply_due < timezone.localdate()


class ProposalKind(models.TextChoices):
    IMPROVE_WORK = "improve_work", _("改进工作建议")
    IMPROVE_POLICY = "improve_policy", _("完善政策建议")
    ACCOUNTABILITY = "accountability", _("追究责任建议")


class Adoption(models.TextChoices):
    PENDING = "pending", _("待反馈")
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class AccountabilityProposal(models.Model):
    """A proposal of Art. 40 to a unit; the unit reports in writing whether it adopted it."""

    kind = models.CharField(_("建议类型"), max_length=16, choices=ProposalKind.choices)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("建议对象"), on_delete=models.PROTECT, related_name="+"
    )
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("信访事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice = models.ForeignKey(
        SupervisionNotice,
        verbose_name=_("相关督办函"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("建议内容"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now, db_index=True)
    response_due = models.DateField(_("反馈期限"), db_index=True)
    adoption = models.CharField(
        _("采纳情况"), max_length=12, choices=Adoption.choices, default=Adoption.PENDING
    )
    feedback = models.TextField(_("书面反馈"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True, verbose_name=_("反馈时间"))
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("反馈人"),
    )

    class Meta:
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_feedback_overdue(self) -> bool:
        return self.adoption == Adoption.PENDING and self.response_due < timezone.localdate()


class SupervisionEvent(models.Model):
    """History of a notice or a proposal: who did what, when, from which status."""

    notice = models.ForeignKey(
        SupervisionNotice, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    proposal = models.ForeignKey(
        AccountabilityProposal, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    step = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    text = models.TextField(blank=True)

    STEP_LABELS = {
        "issued": _("签发督办函"),
        "replied": _("单位回复"),
        "accepted": _("认可回复"),
        "rejected": _("退回回复"),
        "escalated": _("挂牌督办"),
        "closed": _("销号"),
        "reply_overdue": _("逾期未回复"),
        "proposed": _("提出建议"),
        "feedback": _("单位反馈"),
    }

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.step_label} {timezone.localtime(self.at):%Y-%m-%d}"

    @property
    def step_label(self) -> str:
        return str(self.STEP_LABELS.get(self.step, self.step))

    def _status_label(self, code: str) -> str:
        labels = dict(NoticeStatus.choices if self.notice_id else Adoption.choices)
        return str(labels.get(code, code)) if code else ""

    @property
    def from_status_label(self) -> str:
        return self._status_label(self.from_status)

    @property
    def to_status_label(self) -> str:
        return self._status_label(self.to_status)


class SupervisionSequence(models.Model):
    """Numbers of supervision notices: one counter per issuing unit and year."""

    unit_code = models.CharField(max_length=20)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("督办函编号序列")
        verbose_name_plural = _("督办函编号序列")
        unique_together = [("unit_code", "year")]

    def __str__(self) -> str:
        return f"{self.unit_code} {self.year} {self.last}"
