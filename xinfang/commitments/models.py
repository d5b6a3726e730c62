"""Commitments (践诺问责) and follow-up visits (跟踪问效、回访).

A commitment is a promise made to a petitioner, with an owner and a date.  The
reminder run flags a commitment missed exactly once (`missed_flagged_at` is
claimed with a conditional update); missed commitments raise supervision and
appear in the accountability view.

After a petition closes, follow-ups are scheduled at the intervals of the
active `FollowUpPolicy` (default 30 and 90 days).  Each asks "问题是否真正解决？";
an unsolved answer reopens the matter and is counted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_FOLLOWUP_DAYS = [30, 90]


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("践诺中")
    KEPT = "kept", _("已兑现")
    MISSED = "missed", _("逾期未兑现")


class CommitmentQuerySet(models.QuerySet):
    def flagged(self) -> CommitmentQuerySet:
        """Commitments that were missed (even if kept late afterwards)."""
        return self.filter(missed_flagged_at__isnull=False)


class Commitment(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.PROTECT, related_name="commitments", verbose_name=_("信访事项")
    )
    promised_by_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("承诺单位"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    text = models.TextField(_("承诺内容"))
    due = models.DateField(_("兑现期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    evidence = models.TextField(_("兑现情况"), blank=True)
    attachment = models.ForeignKey(
        "petitions.Attachment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("附件"),
    )
    kept_at = models.DateTimeField(null=True, blank=True, verbose_name=_("兑现时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    # Claimed once by the reminder run: the promise was broken.
    missed_flagged_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=_("逾期标记时间")
    )
    # What the supervision hook returned (e.g. "supervision:12"), or "" when no supervision app answered.
    supervision_ref = models.CharField(max_length=60, blank=True, verbose_name=_("督办引用"))

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("践诺事项")
        verbose_name_plural = _("践诺事项")
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["status", "due"])]

    def __str__(self) -> str:
        return f"承诺 {self.pk}：{self.text[:20]}"

    @property
    def kept_late(self) -> bool:
        return self.status == CommitmentStatus.KEPT and self.missed_flagged_at is not None


class FollowUpPolicy(models.Model):
    """Days after closing at which follow-ups fall due.  The newest active row
    wins; with none, DEFAULT_FOLLOWUP_DAYS applies."""

    days = models.CharField(
        _("回访间隔（天）"), max_length=60, default="30,90", help_text=_("以逗号分隔，例如 30,90")
    )
    default_method = models.CharField(_("默认方式"), max_length=10, default="phone")
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("更新时间"))

    class Meta:
        verbose_name = _("回访规则")
        verbose_name_plural = _("回访规则")

    def __str__(self) -> str:
        return f"回访：结案后 {self.days} 天"

    def day_list(self) -> list[int]:
        values = sorted(
            {int(part) for part in self.days.replace("，", ",").split(",") if part.strip().isdigit()}
        )
        return [d for d in values if 0 < d <= 3650] or list(DEFAULT_FOLLOWUP_DAYS)

    @classmethod
    def current_days(cls) -> list[int]:
        policy = cls.objects.filter(is_active=True).order_by("-updated_at", "-pk").first()
        return policy.day_list() if policy else list(DEFAULT_FOLLOWUP_DAYS)


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("电话回访")
    VISIT = "visit", _("上门回访")
    PORTAL = "portal", _("网上问卷")


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("待回访")
    DONE = "done", _("已回访")
    CANCELLED = "cancelled", _("已取消")


class FollowUpAnswer(models.TextChoices):
    SOLVED = "solved", _("已解决")
    PARTLY = "partly", _("部分解决")
    NOT_SOLVED = "not_solved", _("未解决")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class FollowUpQuerySet(models.QuerySet):
    def due(self, today=None) -> FollowUpQuerySet:
        return self.filter(status=FollowUpStatus.SCHEDULED, due__lte=today or timezone.localdate())


class FollowUp(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="followups", verbose_name=_("信访事项")
    )
    # The closing event this round of follow-ups belongs to: a reopened and
    # closed-again matter gets a new round.
    close_event = models.ForeignKey(
        "petitions.PetitionEvent", on_delete=models.CASCADE, related_name="+", verbose_name=_("办结事件")
    )
    seq = models.PositiveSmallIntegerField(_("第几次"))
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due = models.DateField(_("回访日期"), db_index=True)
    method = models.CharField(
        _("方式"), max_length=10, choices=FollowUpMethod.choices, default=FollowUpMethod.PHONE
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, verbose_name=_("回访令牌"))
    answer = models.CharField(
        _("问题是否真正解决"), max_length=12, choices=FollowUpAnswer.choices, blank=True
    )
    comment = models.TextField(_("意见"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("答复时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    reopened = models.BooleanField(_("已重新办理"), default=False)
    # Unsolved but the matter could not be reopened (复核终结 or already open): a bureau task (Art. 37).
    needs_action = models.BooleanField(_("待跟进"), default=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["due", "pk"]
        constraints = [models.UniqueConstraint(fields=["close_event", "seq"], name="followup_once_per_round")]

    def __str__(self) -> str:
        return f"回访 {self.petition_id} #{self.seq}"
