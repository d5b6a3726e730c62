"""Hearings (信访听证, Arts. 31(6) and 36): a roster of credible third parties,
hearings on a petition, their panels, notices, attendance, opinions and the
published hearing-based opinion.

State changes go through xinfang.hearings.actions; this module holds the rows
and the rules about one record (a member's conflicts of interest, the vote).
"""

from __future__ import annotations

import re
from collections import Counter

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.lib import crypto
from xinfang.petitions.choices import Outcome


class MemberKind(models.TextChoices):
    NPC_DEPUTY = "npc_deputy", _("人大代表")
    CPPCC_MEMBER = "cppcc_member", _("政协委员")
    LAWYER = "lawyer", _("律师")
    EXPERT = "expert", _("专家")
    COMMUNITY_REP = "community_rep", _("社区代表")
    OTHER = "other", _("其他")


_NAME_SPLIT = re.compile(r"[\s,，、;；]+")


class HearingMember(models.Model):
    """A credible third party on the roster (听证员库)."""

    name = models.CharField(_("姓名"), max_length=40)
    kind = models.CharField(_("身份"), max_length=16, choices=MemberKind.choices)
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone_enc = models.TextField(blank=True, default="", verbose_name=_("电话（加密）"))
    phone_masked = models.CharField(_("电话"), max_length=24, blank=True, default="")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hearing_member",
    )
    related_units = models.ManyToManyField(
        "units.Unit", verbose_name=_("任职或有利害关系的单位"), blank=True, related_name="+"
    )
    related_people = models.TextField(
        _("有利害关系的人员"), blank=True, help_text=_("姓名，以逗号、顿号或换行分隔")
    )
    is_active = models.BooleanField(_("在库"), default=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("听证员")
        verbose_name_plural = _("听证员")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def set_phone(self, value: str) -> None:
        value = crypto.normalise(value)
        self.phone_enc = crypto.encrypt(value)
        self.phone_masked = crypto.mask_phone(value)

    def related_people_list(self) -> list[str]:
        return [n for n in _NAME_SPLIT.split(self.related_people or "") if n]

    def conflicts_with(self, petition) -> list[str]:
        """Reasons this member may not sit on a hearing of `petition` (empty: none).

        A conflict is a declared unit that is the petition's handling unit or
        respondent unit or one of their ancestors, or a declared related person
        whose name is a petitioner's or the respondent person's.
        """
        reasons = []
        targets = [("承办单位", petition.handling_unit), ("被反映单位", petition.respondent_unit)]
        declared = list(self.related_units.all())
        for label, unit in targets:
            if unit is None:
                continue
            for own in declared:
                if unit.is_within(own):
                    reasons.append(f"与{label}“{unit.name}”有关联（申报单位：{own.name}）")
        people = set(self.related_people_list())
        if people:
            names = set(petition.petitioner_links.values_list("petitioner__name", flat=True))
            for name in sorted(people & names):
                reasons.append(f"与信访人“{name}”有利害关系")
            if petition.respondent_person and petition.respondent_person.strip() in people:
                reasons.append(f"与被反映人“{petition.respondent_person.strip()}”有利害关系")
        return reasons


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已举行")
    CONCLUDED = "concluded", _("已形成结论")
    CANCELLED = "cancelled", _("已取消")


class Hearing(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.PROTECT, related_name="hearings", verbose_name=_("信访事项")
    )
    stage = models.CharField(_("阶段"), max_length=12, help_text=_("安排听证时事项所处阶段"))
    scheduled_at = models.DateTimeField(_("听证时间"), db_index=True)
    place = models.CharField(_("听证地点"), max_length=200)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主持人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    held_on = models.DateField(_("举行日期"), null=True, blank=True)
    concluded_on = models.DateField(_("结论日期"), null=True, blank=True)
    # The re-review clock pause this hearing opened (Art. 36②).
    pause = models.ForeignKey(
        "petitions.DeadlinePause",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("期限中止"),
    )
    minutes = models.TextField(_("听证笔录"), blank=True)
    conclusion = models.CharField(_("听证结论"), max_length=16, choices=Outcome.choices, blank=True)
    conclusion_text = models.TextField(_("听证意见"), blank=True)
    votes = models.JSONField(default=dict, blank=True, verbose_name=_("表决结果"))
    dissent = models.TextField(_("不同意见"), blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("听证")
        verbose_name_plural = _("听证")
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return f"{self.petition.case_number} 听证 {timezone.localtime(self.scheduled_at):%Y-%m-%d}"

    def seated(self) -> models.QuerySet:
        return self.seats.filter(status=SeatStatus.SELECTED)


class SeatStatus(models.TextChoices):
    SELECTED = "selected", _("参加")
    RECUSED = "recused", _("回避")


class PanelSeat(models.Model):
    """A member's place on one hearing's panel: selection or recusal,
    attendance and the member's opinion."""

    hearing = models.ForeignKey(
        Hearing, on_delete=models.CASCADE, related_name="seats", verbose_name=_("听证")
    )
    member = models.ForeignKey(
        HearingMember, on_delete=models.PROTECT, related_name="seats", verbose_name=_("听证员")
    )
    status = models.CharField(
        max_length=10, choices=SeatStatus.choices, default=SeatStatus.SELECTED, verbose_name=_("状态")
    )
    recusal_reason = models.CharField(_("回避理由"), max_length=400, blank=True)
    recusal_automatic = models.BooleanField(default=False, verbose_name=_("自动回避"))
    recused_at = models.DateTimeField(null=True, blank=True, verbose_name=_("回避时间"))
    present = models.BooleanField(_("出席"), null=True, blank=True)
    opinion = models.CharField(_("意见"), max_length=16, choices=Outcome.choices, blank=True)
    reasoning = models.TextField(_("理由"), blank=True)
    opinion_at = models.DateTimeField(null=True, blank=True, verbose_name=_("发表意见时间"))
    opinion_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("意见记录人"),
    )

    class Meta:
        verbose_name = _("听证员席位")
        verbose_name_plural = _("听证员席位")
        unique_together = [("hearing", "member")]
        ordering = ["status", "pk"]

    def __str__(self) -> str:
        return f"{self.member.name} {self.get_status_display()}"


def tally(opinions: list[str]) -> tuple[str, dict[str, int]]:
    """The panel's conclusion: the outcome with strictly more votes than any other
    ("" on a tie or no votes), and the counts per outcome."""
    counts = Counter(o for o in opinions if o)
    ranked = counts.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return "", dict(counts)
    return ranked[0][0], dict(counts)


class Party(models.TextChoices):
    PETITIONER = "petitioner", _("信访人")
    UNIT = "unit", _("有关单位")
    MEMBER = "member", _("听证员")


class NoticeMethod(models.TextChoices):
    DELIVERED = "delivered", _("直接送达")
    POST = "post", _("邮寄")
    SMS = "sms", _("短信")
    PHONE = "phone", _("电话")
    ONLINE = "online", _("网上告知")


class HearingNotice(models.Model):
    """听证通知: who was told when and where the hearing is, how and when."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="notices")
    party = models.CharField(_("当事方"), max_length=12, choices=Party.choices)
    member = models.ForeignKey(
        HearingMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(_("受送达人"), max_length=100)
    method = models.CharField(_("方式"), max_length=12, choices=NoticeMethod.choices)
    sent_at = models.DateTimeField(_("送达时间"), default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("通知内容"))

    class Meta:
        verbose_name = _("听证通知")
        verbose_name_plural = _("听证通知")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.get_method_display()}"


class PartyAttendance(models.Model):
    """Attendance of a party other than panel members (those are on PanelSeat)."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="attendance")
    party = models.CharField(max_length=12, choices=Party.choices)
    name = models.CharField(_("姓名（单位）"), max_length=100)
    present = models.BooleanField(_("出席"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("当事方出席")
        verbose_name_plural = _("当事方出席")
        ordering = ["party", "pk"]

    def __str__(self) -> str:
        return self.name


class PublishedHearingOpinion(models.Model):
    """A hearing-based opinion published to the public with personal data masked (Art. 36②)."""

    hearing = models.OneToOneField(
        Hearing, on_delete=models.PROTECT, related_name="publication", verbose_name=_("听证")
    )
    title = models.CharField(_("标题"), max_length=200)
    masked_text = models.TextField(_("公示内容"))
    published_at = models.DateTimeField(_("公示时间"), default=timezone.now, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("公示人")
    )

    class Meta:
        verbose_name = _("听证意见公示")
        verbose_name_plural = _("听证意见公示")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title
