"""Records of three procedures beside the main workflow: a dispute over which
unit accepts (Art. 24), carrying out a supported opinion (Art. 32, last
paragraph) and mediation or settlement of a claim (Art. 33).

Each has its own deadline row (rules JURISDICTION and IMPLEMENT) where the
regulation asks for follow-up; the history is in PetitionEvent as for every
other step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JurisdictionDispute(models.Model):
    """受理争议 (Art. 24): decided by the units' common superior, or coordinated by
    the joint conference (联席会议) when they have none (`decider` empty)."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="jurisdiction_disputes"
    )
    units = models.ManyToManyField("units.Unit", verbose_name=_("涉及单位"), related_name="+")
    decider = models.ForeignKey(
        "units.Unit",
        verbose_name=_("共同的上一级机关"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("争议理由"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    decided_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("决定的受理机关"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.TextField(_("决定（协调）意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("受理争议")
        verbose_name_plural = _("受理争议")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(decided_at__isnull=True), name="one_open_dispute"
            )
        ]

    @property
    def by_joint_conference(self) -> bool:
        return self.decider_id is None


class Implementation(models.Model):
    """落实: a supported opinion must be carried out (Art. 32, last paragraph); the
    unit that gave it supervises and records the result before the deadline."""

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="implementations"
    )
    opinion = models.OneToOneField(
        "petitions.Opinion", on_delete=models.CASCADE, related_name="implementation"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("督促执行单位"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("落实情况"), blank=True)
    # A later opinion (review, re-review) replaces this one's check.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("支持意见落实")
        verbose_name_plural = _("支持意见落实")
        ordering = ["opened_at", "pk"]

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.superseded_at is None


class SettlementKind(models.TextChoices):
    MEDIATION = "mediation", _("调解")
    SETTLEMENT = "settlement", _("和解")


class Settlement(models.Model):
    """调解 or 和解 of a claim (Art. 33), started with both parties' consent;
    an agreement closes the matter with a 调解协议书 / 和解协议书."""

    petition = models.ForeignKey("petitions.Petition", on_delete=models.CASCADE, related_name="settlements")
    kind = models.CharField(_("方式"), max_length=12, choices=SettlementKind.choices)
    other_party = models.CharField(_("对方当事人"), max_length=100)
    consent_date = models.DateField(_("双方同意日期"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    terms = models.TextField(_("协议内容"), blank=True)
    document = models.ForeignKey(
        "documents.IssuedDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(_("未达成一致的情况"), blank=True)

    class Meta:
        verbose_name = _("调解和解")
        verbose_name_plural = _("调解和解")
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(agreed_at__isnull=True, ended_at__isnull=True),
                name="one_open_settlement",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.agreed_at is None and self.ended_at is None
