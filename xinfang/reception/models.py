"""Joint reception (联合接访, Art. 18③), online joint handling and leader reception (领导接访).

A `JointReceptionSession` is a day at the joint reception centre; petitioners
received there are `ReceptionVisit` rows.  A matter that spans units gets a
`JointHandling`: one lead unit and cooperating units (`JointParticipant`), each
stating its part and position in a shared thread (`JointThreadPost`); the lead
unit drafts the combined answer and the bureau closes it.  The same model
serves the centre (mode "onsite") and the online platform (mode "online").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_PLACE = "联合接访中心"


class OneStopOutcome(models.TextChoices):
    RESOLVED_ON_SPOT = "resolved_on_spot", _("当场化解")
    HANDED_TO_LEAD = "handed_to_lead", _("交由牵头单位办理")
    JOINT_HANDLING = "joint_handling", _("转入联合办理")
    EXPLAINED = "explained", _("解释疏导，信访人认可")
    DIVERTED = "diverted", _("引导至法定途径")
    OTHER = "other", _("其他")


class JointReceptionSession(models.Model):
    date = models.DateField(_("接访日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=100, default=DEFAULT_PLACE)
    units = models.ManyToManyField("units.Unit", verbose_name=_("参加单位"), related_name="+", blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("接访人员"), related_name="+", blank=True
    )
    leader_on_duty = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("值班领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))

    class Meta:
        verbose_name = _("联合接访场次")
        verbose_name_plural = _("联合接访场次")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.place}"


class ReceptionVisit(models.Model):
    """One petition received at one session, with its one-stop outcome."""

    session = models.ForeignKey(JointReceptionSession, on_delete=models.CASCADE, related_name="visits")
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.PROTECT, related_name="reception_visits"
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("一站式处理结果"), max_length=20, choices=OneStopOutcome.choices, blank=True)
    outcome_note = models.TextField(_("处理情况"), blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接访登记")
        verbose_name_plural = _("接访登记")
        ordering = ["registered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "petition"], name="reception_visit_once")]

    def __str__(self) -> str:
        return f"接访登记 {self.petition_id}"


class JointMode(models.TextChoices):
    ONSITE = "onsite", _("现场联合接访")
    ONLINE = "online", _("网上联合接访")


class JointStatus(models.TextChoices):
    OPEN = "open", _("各单位表态中")
    ANSWER_DRAFTED = "answer_drafted", _("牵头单位已拟综合答复")
    CLOSED = "closed", _("已结束")


class JointHandlingQuerySet(models.QuerySet):
    def for_unit(self, unit) -> JointHandlingQuerySet:
        """Cases in which `unit` (or a unit under it) takes part."""
        return self.filter(participants__unit__path__startswith=unit.path).distinct()


class JointHandling(models.Model):
    petition = models.ForeignKey(
        "petitions.Petition",
        on_delete=models.PROTECT,
        related_name="joint_handlings",
        verbose_name=_("信访事项"),
    )
    mode = models.CharField(_("方式"), max_length=10, choices=JointMode.choices, default=JointMode.ONLINE)
    session = models.ForeignKey(
        JointReceptionSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="joint_handlings",
        verbose_name=_("接访场次"),
    )
    lead_unit = models.ForeignKey(
        "units.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=JointStatus.choices, default=JointStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    opened_at = models.DateTimeField(default=timezone.now, verbose_name=_("发起时间"))
    answer_text = models.TextField(_("综合答复"), blank=True)
    # [{"unit_id", "unit", "part", "position", "post_ids"}]: each unit's share of the answer, traceable to posts.
    answer_parts = models.JSONField(default=list, blank=True, verbose_name=_("答复内容"))
    answer_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answer_at = models.DateTimeField(null=True, blank=True, verbose_name=_("答复时间"))
    outcome = models.CharField(_("处理结果"), max_length=20, choices=OneStopOutcome.choices, blank=True)
    closing_note = models.TextField(_("结束说明"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办结人"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("办结时间"))

    objects = JointHandlingQuerySet.as_manager()

    class Meta:
        verbose_name = _("联合办理")
        verbose_name_plural = _("联合办理")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"],
                condition=~Q(status="closed"),
                name="reception_one_open_joint_per_petition",
            )
        ]

    def __str__(self) -> str:
        return f"联合办理 #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != JointStatus.CLOSED


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    COOPERATING = "cooperating", _("配合单位")


class ParticipantStatus(models.TextChoices):
    PENDING = "pending", _("待表态")
    STATED = "stated", _("已表态")


class JointParticipant(models.Model):
    joint = models.ForeignKey(
        JointHandling, on_delete=models.CASCADE, related_name="participants", verbose_name=_("联合办理")
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=12, choices=ParticipantRole.choices)
    task = models.TextField(_("交办事项"), blank=True, help_text=_("信访部门请该单位说明的问题"))
    part = models.TextField(_("承担部分"), blank=True)
    position = models.TextField(_("意见"), blank=True)
    due = models.DateField(_("表态期限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.PENDING
    )
    stated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("表态时间"))

    class Meta:
        verbose_name = _("联合办理参与单位")
        verbose_name_plural = _("联合办理参与单位")
        ordering = ["-role", "pk"]  # "lead" sorts after "cooperating": reversed puts the lead first
        constraints = [models.UniqueConstraint(fields=["joint", "unit"], name="reception_participant_once")]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()}"

    def is_overdue(self, today=None) -> bool:
        return self.status == ParticipantStatus.PENDING and self.due < (today or timezone.localdate())


class PostKind(models.TextChoices):
    PART = "part", _("承担部分")
    POSITION = "position", _("意见")
    QUESTION = "question", _("提问")
    ANSWER = "answer", _("答复")


class JointThreadPost(models.Model):
    joint = models.ForeignKey(JointHandling, on_delete=models.CASCADE, related_name="posts")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=PostKind.choices)
    text = models.TextField(_("内容"))
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("联合办理会商记录")
        verbose_name_plural = _("联合办理会商记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class LeaderReceptionSlot(models.Model):
    """A published leader reception time (领导接访日) petitioners can book."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接访领导"),
        on_delete=models.PROTECT,
        related_name="reception_slots",
    )
    date = models.DateField(_("日期"), db_index=True)
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=100, default=DEFAULT_PLACE)
    capacity = models.PositiveIntegerField(_("可预约人数"), default=10)
    booked_count = models.PositiveIntegerField(default=0, verbose_name=_("已预约人数"))
    topic = models.CharField(_("接访主题"), max_length=200, blank=True)
    is_cancelled = models.BooleanField(_("已取消"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        verbose_name = _("领导接访安排")
        verbose_name_plural = _("领导接访安排")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booked_count__lte=models.F("capacity")), name="reception_slot_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%m-%d} {self.start_time:%H:%M} {self.leader}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked_count, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已接待")
    NO_SHOW = "no_show", _("未到")


class LeaderBooking(models.Model):
    slot = models.ForeignKey(
        LeaderReceptionSlot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("接访时段")
    )
    name = models.CharField(_("姓名"), max_length=60)
    phone_enc = models.TextField(verbose_name=_("电话（加密）"))
    phone_hash = models.CharField(max_length=64, db_index=True, verbose_name=_("电话摘要"))
    phone_masked = models.CharField(_("电话"), max_length=24)
    case_number = models.CharField(_("信访件编号"), max_length=40, blank=True)
    petition = models.ForeignKey(
        "petitions.Petition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader_bookings",
        verbose_name=_("信访事项"),
    )
    topic = models.TextField(_("反映问题"))
    code = models.CharField(_("预约号"), max_length=12, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("创建时间"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    note = models.TextField(_("接待情况"), blank=True)

    class Meta:
        verbose_name = _("领导接访预约")
        verbose_name_plural = _("领导接访预约")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "phone_hash"],
                condition=Q(status="booked"),
                name="reception_one_booking_per_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.code
