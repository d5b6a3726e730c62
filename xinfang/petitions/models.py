"""Petitioners, petitions and their history.

The event table (`PetitionEvent`) is the history, the audit trail of every
state change and the source for statistics.  Deadlines are rows of `Deadline`
with indexed due dates; the earliest open one is copied to the petition
(`current_due`) so list pages filter and sort on one indexed column.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.lib import crypto

from .choices import (
    OPEN_STATUSES,
    Channel,
    ClaimRoute,
    DueState,
    EvaluationStage,
    LinkKind,
    OnlineSource,
    Outcome,
    PetitionClass,
    PetitionerKind,
    Rating,
    Stage,
    Status,
)


def local_today() -> date:
    return timezone.localdate()


class Petitioner(models.Model):
    """A person or organisation.  ID number, phone and address are encrypted;
    exact lookup goes through keyed hashes; masked forms are kept for display."""

    kind = models.CharField(
        _("类型"), max_length=16, choices=PetitionerKind.choices, default=PetitionerKind.PERSON
    )
    name = models.CharField(_("姓名（名称）"), max_length=100)
    id_number_enc = models.TextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    id_number_masked = models.CharField(_("证件号"), max_length=24, blank=True, default="")
    phone_enc = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(_("电话"), max_length=24, blank=True, default="")
    address_enc = models.TextField(blank=True, default="")
    name_address_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        value = crypto.normalise(value)
        self.id_number_enc = crypto.encrypt(value)
        self.id_number_hash = crypto.lookup_hash(value, purpose="id")
        self.id_number_masked = crypto.mask_id_number(value)

    def set_phone(self, value: str) -> None:
        value = crypto.normalise(value)
        self.phone_enc = crypto.encrypt(value)
        self.phone_hash = crypto.lookup_hash(value, purpose="phone")
        self.phone_masked = crypto.mask_phone(value)

    def set_address(self, value: str) -> None:
        self.address_enc = crypto.encrypt(value.strip())
        self.name_address_hash = name_address_hash(self.name, value)

    # Decryption is deliberately not a property: callers go through
    # xinfang.petitions.personal.reveal(), which writes the audit row.
    def _decrypt(self, field: str) -> str:
        return crypto.decrypt(getattr(self, f"{field}_enc"))


def name_address_hash(name: str, address: str, *, master: str | None = None) -> str:
    if not name.strip() or not address.strip():
        return ""
    return crypto.lookup_hash(f"{name.strip()}|{address.strip()}", purpose="name_address", master=master)


class PetitionQuerySet(models.QuerySet):
    def open(self) -> PetitionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: date | None = None) -> PetitionQuerySet:
        return self.open().filter(current_due__lt=today or local_today())

    def due_soon(self, today: date | None = None, days: int | None = None) -> PetitionQuerySet:
        today = today or local_today()
        days = settings.DUE_SOON_DAYS if days is None else days
        return self.open().filter(current_due__gte=today, current_due__lte=today + timedelta(days=days))

    def on_time(self, today: date | None = None, days: int | None = None) -> PetitionQuerySet:
        today = today or local_today()
        days = settings.DUE_SOON_DAYS if days is None else days
        return self.open().filter(
            Q(current_due__gt=today + timedelta(days=days)) | Q(current_due__isnull=True)
        )

    def with_due_state(self, state: str) -> PetitionQuerySet:
        return {
            DueState.OVERDUE: self.overdue,
            DueState.DUE_SOON: self.due_soon,
            DueState.ON_TIME: self.on_time,
        }[state]()

    def awaiting_routing(self) -> PetitionQuerySet:
        return self.filter(status__in=[Status.REGISTERED, Status.OBJECTED])

    def awaiting_acceptance(self, unit=None) -> PetitionQuerySet:
        qs = self.filter(status=Status.ROUTED)
        return qs.filter(handling_unit__path__startswith=unit.path) if unit is not None else qs

    def in_handling(self) -> PetitionQuerySet:
        return self.filter(status=Status.HANDLING)

    def awaiting_opinion_approval(self) -> PetitionQuerySet:
        return self.filter(status=Status.OPINION_DRAFTED)

    def awaiting_extension_decision(self, today: date | None = None) -> PetitionQuerySet:
        """In handling with a handler's extension request that has not lapsed
        (ExtensionRequestQuerySet.waiting)."""
        waiting = ExtensionRequest.objects.waiting(today).filter(petition=models.OuterRef("pk"))
        return self.filter(models.Exists(waiting), status=Status.HANDLING)

    def in_review(self) -> PetitionQuerySet:
        return self.filter(stage__in=[Stage.REVIEW, Stage.REREVIEW]).open()


class Petition(models.Model):
    case_number = models.CharField(_("信访件编号"), max_length=40, unique=True)
    query_code_hash = models.CharField(max_length=64, db_index=True)
    query_code_enc = models.TextField(default="")
    channel = models.CharField(_("渠道"), max_length=24, choices=Channel.choices)
    source = models.CharField(_("来源"), max_length=20, choices=OnlineSource.choices, blank=True)
    received_at = models.DateTimeField(_("收到时间"))
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The three unit columns of the scope are indexed with the case number (Meta.indexes).
    registering_unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="registered_petitions", db_index=False
    )

    title = models.CharField(_("标题"), max_length=200)
    request = models.TextField(_("诉求"), blank=True)
    facts_reasons = models.TextField(_("事实和理由"), blank=True)
    content = models.TextField(_("信访内容"))
    town = models.ForeignKey(
        "units.Unit",
        verbose_name=_("问题属地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_address = models.CharField(_("问题发生地址"), max_length=200, blank=True)
    respondent_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("被反映单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    respondent_person = models.CharField(_("被反映人"), max_length=60, blank=True)
    respondent_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被反映人（系统账号）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "units.Category",
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    petition_class = models.CharField(_("类别"), max_length=16, choices=PetitionClass.choices, blank=True)
    claim_route = models.PositiveSmallIntegerField(
        _("处理途径"), choices=ClaimRoute.choices, null=True, blank=True
    )
    is_litigation = models.BooleanField(_("涉法涉诉"), default=False)
    is_urgent = models.BooleanField(_("重大紧急"), default=False)
    head_count = models.PositiveIntegerField(_("人数"), default=1)
    is_collective = models.BooleanField(_("集体访"), default=False)

    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.INITIAL)
    handling_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The petition bureau whose desk holds the matter: the bureau it was registered
    # at (or the bureau of the unit that registered it), then whichever bureau it
    # was sent to (上级转送/交办 down, 报送 up).  Only that bureau routes it.
    bureau = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所在信访部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    is_assignment = models.BooleanField(_("交办件"), default=False)
    is_simple = models.BooleanField(_("简易办理"), default=False)
    is_extended = models.BooleanField(_("已延期"), default=False)
    is_final = models.BooleanField(_("复核终结"), default=False)
    routed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    opinion_delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    current_due = models.DateField(_("当前期限"), null=True, blank=True)
    current_due_rule = models.CharField(max_length=24, blank=True)
    current_due_provisional = models.BooleanField(default=False)

    # Flags set by triage (重复访 / 越级访 / 集体访); evidence lives in triage.
    is_repeat = models.BooleanField(_("重复访"), default=False)
    is_skip_level = models.BooleanField(_("越级访"), default=False)

    petitioners = models.ManyToManyField(Petitioner, through="PetitionPetitioner", related_name="petitions")

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("信访事项")
        verbose_name_plural = _("信访事项")
        indexes = [
            # Covering indexes (PostgreSQL; SQLite keeps the key columns only): the counts of
            # open matters by area, rule and unit, and the hot spots of a period by area, town and
            # address, read the index alone instead of the table's wide rows (a district's open
            # matters at 1,000,000 petitions: 208 → 18 ms).
            models.Index(
                fields=["status", "current_due"],
                # The scope's columns (area, accusation rule) and the lists' default order too, so
                # that an overdue list narrowed by a search reads this index alone.
                include=[
                    "id",
                    "handling_unit",
                    "bureau",
                    "registering_unit",
                    "current_due_rule",
                    "petition_class",
                    "respondent_unit",
                    "respondent_user",
                    "received_at",
                ],
                name="petition_status_due",
            ),
            models.Index(fields=["handling_unit", "status", "current_due"]),
            # Each unit's rows in case-number order: a list sorted by number merges them, unit by
            # unit, where one walk of the number index passed other bureaus' rows (inbox
            # filters.scope_parts).  They replace the columns' own foreign-key indexes.
            models.Index(fields=["bureau", "case_number"], name="petition_bureau_number"),
            models.Index(fields=["handling_unit", "case_number"], name="petition_handling_number"),
            models.Index(fields=["registering_unit", "case_number"], name="petition_registering_number"),
            models.Index(
                fields=["received_at"],
                include=[
                    "id",
                    "handling_unit",
                    "bureau",
                    "registering_unit",
                    "town",
                    "is_repeat",
                    "place_address",
                ],
                name="petition_received",
            ),
            # Lists sorted by deadline then id: PostgreSQL's btree orders equal keys by row position,
            # not id, so without the id it sorts whole groups (75k undated rows: 0.78 s at 1M).
            models.Index(fields=["current_due", "id"], name="petition_due_id"),
            # A status filter sorted by date (e.g. closed matters, oldest first): equality then order.
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["category", "received_at"]),
            models.Index(fields=["town", "received_at"]),
            models.Index(fields=["stage", "status", "current_due"]),
            # The matters not routed to a unit (about one in twenty): the hot spots of the units
            # under a government exclude them by a hash of these ids (stats.topics).
            models.Index(fields=["id"], condition=Q(handling_unit__isnull=True), name="petition_unrouted"),
            # Partial indexes: the flags are rare, so the flagged rows stay small to scan.
            models.Index(fields=["received_at"], condition=Q(is_urgent=True), name="petition_urgent_recv"),
            models.Index(
                fields=["received_at"], condition=Q(is_collective=True), name="petition_collective_recv"
            ),
            models.Index(fields=["received_at"], condition=Q(is_repeat=True), name="petition_repeat_recv"),
            models.Index(fields=["received_at"], condition=Q(is_skip_level=True), name="petition_skip_recv"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def due_state(self, today: date | None = None) -> str | None:
        if not self.is_open or self.current_due is None:
            return None
        today = today or local_today()
        if self.current_due < today:
            return DueState.OVERDUE
        if self.current_due <= today + timedelta(days=settings.DUE_SOON_DAYS):
            return DueState.DUE_SOON
        return DueState.ON_TIME

    def days_left(self, today: date | None = None) -> int | None:
        if self.current_due is None:
            return None
        return (self.current_due - (today or local_today())).days

    @staticmethod
    def new_query_code() -> str:
        alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
        return "".join(secrets.choice(alphabet) for _ in range(8))

    def set_query_code(self, code: str) -> None:
        self.query_code_hash = query_code_hash(code)
        self.query_code_enc = crypto.encrypt(code)

    def check_query_code(self, code: str) -> bool:
        return secrets.compare_digest(self.query_code_hash, query_code_hash(code))


def query_code_hash(code: str, *, master: str | None = None) -> str:
    return crypto.lookup_hash(code.strip().upper(), purpose="query_code", master=master)


class PetitionPetitioner(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="petitioner_links")
    petitioner = models.ForeignKey(Petitioner, on_delete=models.PROTECT, related_name="petition_links")
    is_representative = models.BooleanField(_("代表"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("信访事项的信访人")
        verbose_name_plural = _("信访事项的信访人")
        unique_together = [("petition", "petitioner")]
        ordering = ["order"]


class EventAction(models.TextChoices):
    REGISTER = "register", _("登记")
    CLASSIFY = "classify", _("分类")
    TRANSFER = "transfer", _("转送")
    ASSIGN = "assign", _("交办")
    OBJECT = "object", _("提出异议")
    OBJECTION_UPHELD = "objection_upheld", _("异议成立，收回重新转送")
    OBJECTION_DISMISSED = "objection_dismissed", _("异议不成立")
    NOTIFY = "notify", _("告知")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    REFUSE_FINAL = "refuse_final", _("不再受理")
    DIVERT = "divert", _("导入法定途径")
    EXTEND = "extend", _("延期")
    CONVERT_TO_NORMAL = "convert_to_normal", _("简易办理转为普通程序")
    DRAFT_OPINION = "draft_opinion", _("拟写意见")
    RETURN_OPINION = "return_opinion", _("退回意见")
    ISSUE_OPINION = "issue_opinion", _("出具意见")
    CONCLUDE = "conclude", _("办结")
    EVALUATE = "evaluate", _("评价")
    REQUEST_REVIEW = "request_review", _("申请复查")
    REQUEST_REREVIEW = "request_rereview", _("申请复核")
    CLOSE = "close", _("终结")
    MERGE = "merge", _("合并")
    WITHDRAW = "withdraw", _("撤回")
    REOPEN = "reopen", _("重新办理")
    RECUSE = "recuse", _("回避")
    UNRECUSE = "unrecuse", _("撤销回避")
    PAUSE = "pause", _("中止计时")
    RESUME = "resume", _("恢复计时")
    REPORT = "report", _("报送办结报告")
    NOTE = "note", _("内部备注")
    MECHANISM = "mechanism", _("工作机制")
    DELIVER = "deliver", _("送达")
    JURISDICTION = "jurisdiction", _("受理争议")
    IMPLEMENT = "implement", _("督促落实")
    SETTLEMENT = "settlement", _("调解和解")
    SEND_UP = "send_up", _("报送上级信访部门")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    DECIDE_EXTENSION = "decide_extension", _("审批延期申请")


# Events a petitioner sees on the portal timeline (DOMAIN.md §2, online handling).
PUBLIC_ACTIONS = {
    EventAction.REGISTER,
    EventAction.TRANSFER,
    EventAction.ASSIGN,
    EventAction.ACCEPT,
    EventAction.REJECT,
    EventAction.REFUSE_FINAL,
    EventAction.DIVERT,
    EventAction.EXTEND,
    EventAction.CONVERT_TO_NORMAL,
    EventAction.ISSUE_OPINION,
    EventAction.CONCLUDE,
    EventAction.REQUEST_REVIEW,
    EventAction.REQUEST_REREVIEW,
    EventAction.CLOSE,
    EventAction.NOTIFY,
    EventAction.WITHDRAW,
    EventAction.EVALUATE,
    EventAction.DELIVER,
}


class PetitionEvent(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=60, blank=True, help_text="信访人、系统等非工作人员")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    documents = models.JSONField(default=list, blank=True, help_text="文号列表")
    is_public = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["action", "at"]),
            models.Index(fields=["petition", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action} {self.at:%Y-%m-%d}"


class DeadlineQuerySet(models.QuerySet):
    def open(self) -> DeadlineQuerySet:
        return self.filter(met_at__isnull=True, cancelled=False)


class Deadline(models.Model):
    """One statutory period of one petition: rule, start, due date, pauses."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="deadlines")
    rule = models.CharField(max_length=24)
    start = models.DateField()
    days = models.PositiveIntegerField()
    working_days = models.BooleanField(default=False)
    extension_days = models.PositiveIntegerField(default=0)
    due = models.DateField(db_index=True)
    provisional = models.BooleanField(default=False, db_index=True)
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)
    # Set once by the worker with a compare-and-set: a warning is raised once.
    soon_warned_at = models.DateTimeField(null=True, blank=True)
    overdue_warned_at = models.DateTimeField(null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理期限")
        verbose_name_plural = _("办理期限")
        indexes = [models.Index(fields=["met_at", "cancelled", "due"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.due}"


class DeadlinePause(models.Model):
    """A span not counted in a period (Art. 36: hearing time)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="空表示尚未恢复")
    reason = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("期限中止")
        verbose_name_plural = _("期限中止")


def attachment_path(instance: Attachment, filename: str) -> str:
    digest = hashlib.sha256(f"{instance.petition_id}{filename}{timezone.now()}".encode()).hexdigest()[:16]
    return f"attachments/{timezone.now():%Y/%m}/{digest}"


class Attachment(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    is_public = models.BooleanField(default=False, help_text="信访人提交的材料")

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")


class PetitionLink(models.Model):
    from_petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="links_out")
    to_petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("关联信访事项")
        verbose_name_plural = _("关联信访事项")
        unique_together = [("from_petition", "to_petition", "kind")]


class InternalNote(models.Model):
    """Staff-only notes: never shown on the portal or in documents."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("内部备注")
        verbose_name_plural = _("内部备注")
        ordering = ["created_at"]


class Opinion(models.Model):
    """信访处理意见书 / 复查意见书 / 复核意见书 (Art. 32) or a reply to a suggestion."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("处理意见"), max_length=16, choices=Outcome.choices)
    request = models.TextField(_("投诉请求"))
    facts_reasons = models.TextField(_("事实和理由"))
    # What the handler's investigation found (Art. 31(6) 调查核实), printed
    # under 调查核实情况; the petitioner's account stays in facts_reasons.
    findings = models.TextField(_("调查核实情况"), blank=True, default="")
    opinion_text = models.TextField(_("处理意见"))
    legal_basis = models.TextField(_("法律法规依据"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    hearing_held = models.BooleanField(default=False)
    is_published = models.BooleanField(_("向社会公示"), default=False)

    class Meta:
        verbose_name = _("信访处理意见书")
        verbose_name_plural = _("信访处理意见书")
        ordering = ["drafted_at"]


class ExtensionRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")
    # Undecided when the period it would extend ended (see lapsed_q); stored
    # only when a new request replaces it, shown as such as soon as it lapses.
    LAPSED = "lapsed", _("已失效")


def extension_request_lapsed_q(today: date) -> Q:
    """The one rule of a lapsed request: undecided, and the handling period it
    asked to extend (the one open when it was filed) is no longer running — met
    (the opinion issued, the matter concluded), cancelled (reclassified, moved
    on) or ended (its due date passed, Art. 34: only a running period is
    extended).  Stored LAPSED rows are lapsed too."""
    undecided = Q(status=ExtensionRequestStatus.PENDING)
    period_over = (
        Q(deadline__isnull=True)
        | Q(deadline__met_at__isnull=False)
        | Q(deadline__cancelled=True)
        | Q(deadline__due__lt=today)
    )
    return (undecided & period_over) | Q(status=ExtensionRequestStatus.LAPSED)


class ExtensionRequestQuerySet(models.QuerySet):
    def pending(self) -> ExtensionRequestQuerySet:
        """Undecided as stored, lapsed or not."""
        return self.filter(status=ExtensionRequestStatus.PENDING)

    def lapsed(self, today: date | None = None) -> ExtensionRequestQuerySet:
        return self.filter(extension_request_lapsed_q(today or local_today()))

    def waiting(self, today: date | None = None) -> ExtensionRequestQuerySet:
        """Undecided and not lapsed: what the unit leader still has to decide."""
        return self.pending().exclude(extension_request_lapsed_q(today or local_today()))

    def with_shown_status(self, today: date | None = None) -> ExtensionRequestQuerySet:
        """Annotate `is_lapsed`, read by ExtensionRequest.shown_status."""
        return self.annotate(
            is_lapsed_=models.Case(
                models.When(extension_request_lapsed_q(today or local_today()), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class ExtensionRequest(models.Model):
    """A handler's request to extend the handling period (Art. 34), decided by
    the unit leader.  At most one is pending per petition (the constraint)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="extension_requests")
    # The handling period it asks to extend (the one open when it was filed).
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="extension_requests"
    )
    days = models.PositiveSmallIntegerField(_("延长天数"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ExtensionRequestStatus.choices, default=ExtensionRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    remarks = models.TextField(_("审批意见"), blank=True)

    objects = ExtensionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(status="pending"),
                name="one_pending_extension_request",
            )
        ]

    def is_lapsed(self, today: date | None = None) -> bool:
        """extension_request_lapsed_q for this row (from the `with_shown_status`
        annotation when loaded with it, else one query)."""
        annotated = getattr(self, "is_lapsed_", None)
        if annotated is not None and today is None:
            return annotated
        return type(self).objects.filter(pk=self.pk).lapsed(today).exists()

    @property
    def shown_status(self) -> str:
        """The status as pages show it: a lapsed request as 已失效, not 待审批."""
        if self.is_lapsed():
            return ExtensionRequestStatus.LAPSED.label
        return self.get_status_display()


class Evaluation(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="evaluations")
    stage = models.CharField(max_length=12, choices=EvaluationStage.choices)
    rating = models.CharField(max_length=20, choices=Rating.choices)
    comment = models.TextField(blank=True)
    unit = models.ForeignKey("units.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        unique_together = [("petition", "stage", "unit")]


class Recusal(models.Model):
    """Art. 28③: a staff member with a direct interest steps aside."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recusals")
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        unique_together = [("petition", "user")]


class CustodyKind(models.TextChoices):
    FROM_ABOVE_TRANSFER = "from_above_transfer", _("上级转送")
    FROM_ABOVE_ASSIGN = "from_above_assign", _("上级交办")
    FROM_BELOW = "from_below", _("下级报送")
    HANDLED = "handled", _("原承办")


class Custody(models.Model):
    """A body that held a matter besides its registering bureau: a bureau it was
    sent to (with that bureau's own case number) or a unit that handled it before a
    review took it one level up.  Such a body keeps reading the matter's one thread
    (issue 14): its history and its own documents."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="custody")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    kind = models.CharField(_("方式"), max_length=24, choices=CustodyKind.choices)
    from_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("来自"),
    )
    case_number = models.CharField(_("本部门编号"), max_length=40, null=True, blank=True, unique=True)
    # The matter's registration number, copied when the row is saved (a number never changes):
    # a list sorted by number walks a unit's custody rows in that order (inbox filters.merged_head).
    petition_number = models.CharField(_("信访件编号"), max_length=40, blank=True, default="")
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("经手记录")
        verbose_name_plural = _("经手记录")
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["unit", "petition"], name="custody_unit_petition"),
            models.Index(
                fields=["unit", "petition_number"], include=["petition"], name="custody_unit_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind} {self.unit_id}"

    def save(self, *args, **kwargs):
        if not self.petition_number:
            self.petition_number = self.petition.case_number
        super().save(*args, **kwargs)


class CaseSequence(models.Model):
    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("案号序列")
        verbose_name_plural = _("案号序列")
        unique_together = [("prefix", "year")]


class IdempotencyKey(models.Model):
    """Makes an intake safe to retry: one key, one petition.  API keys belong to the
    token's user; the portal's submission tokens (portal/submit_token.py) have no user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    petition = models.ForeignKey(Petition, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        unique_together = [("user", "key")]
        # NULLs are distinct in a unique index: the keys without a user need their own.
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(user__isnull=True),
                name="petitions_idem_anonymous_key_uniq",
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="petitions_idem_created_idx")]


# Arts. 24, 32 and 33 (disputes over acceptance, carrying out, mediation): own module.
from .procedure_models import (  # noqa: E402, F401
    Implementation,
    JurisdictionDispute,
    Settlement,
    SettlementKind,
)
