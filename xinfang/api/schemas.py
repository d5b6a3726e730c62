"""Input and output schemas of the core API (petitions, petitioners, reference data).

Inputs forbid unknown fields, so a misspelt field is an error rather than
silently ignored.  Outputs carry personal data only in masked form.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from xinfang.petitions import limits
from xinfang.petitions.choices import (
    Channel,
    DueState,
    OnlineSource,
    PetitionClass,
    PetitionerKind,
    Stage,
    Status,
)

MAX_ID = 2**53  # larger ids cannot exist; refusing them keeps SQLite from overflowing


def literal(*values: str):
    return Literal.__getitem__(tuple(values))


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ChannelValue = literal(*Channel.values)
SourceValue = literal("", *OnlineSource.values)
ClassValue = literal("", *PetitionClass.values)
StatusValue = literal(*Status.values)
StageValue = literal(*Stage.values)
DueStateValue = literal(*DueState.values)
Documents = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)]


def aware(value: datetime | None) -> datetime | None:
    """A naive time is read as local time (Asia/Shanghai)."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class ErrorOut(Schema):
    """The one error shape of the API."""

    error: str = Field(description="机器可读的错误代码，如 invalid、not_found、forbidden、wrong_state")
    message: str = Field(description="中文说明")
    fields: dict[str, str] = Field(description="字段路径（如 petitioners.0.id_number）到中文说明")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- intake


class PetitionerIn(InputSchema):
    name: str = Field(min_length=1, max_length=100, description="姓名（名称）")
    kind: literal(*PetitionerKind.values) = Field(PetitionerKind.PERSON.value, description="个人 / 组织")
    id_number: str = Field("", max_length=30, description="身份证号码")
    phone: str = Field("", max_length=30, description="联系电话")
    address: str = Field("", max_length=200, description="住址")
    email: str = Field("", max_length=254, description="电子邮箱")
    is_representative: bool = Field(False, description="多人走访时推选的代表")


class IntakeIn(InputSchema):
    channel: ChannelValue = Field(description="信访渠道")
    source: SourceValue = Field("", description="网上信访的来源平台")
    received_at: datetime | None = Field(
        None, description="收到时间；不带时区时按北京时间理解；缺省为当前时间"
    )
    title: str = Field(min_length=1, max_length=limits.TITLE_MAX_CHARS)
    request: str = Field("", max_length=limits.REQUEST_MAX_CHARS, description="诉求")
    facts_reasons: str = Field("", max_length=limits.FACTS_MAX_CHARS, description="事实和理由")
    content: str = Field(min_length=1, max_length=limits.CONTENT_MAX_CHARS, description="信访内容")
    town_id: Id | None = Field(None, description="问题属地（单位 id）")
    place_address: str = Field("", max_length=200)
    respondent_unit_id: Id | None = Field(None, description="被反映单位（单位 id）")
    respondent_person: str = Field("", max_length=60)
    category_id: Id | None = None
    petition_class: ClassValue = ""
    is_litigation: bool = False
    is_urgent: bool = False
    head_count: int | None = Field(None, ge=1, le=100000)
    petitioners: list[PetitionerIn] = Field(min_length=1, max_length=500)

    @field_validator("received_at")
    @classmethod
    def _local_time(cls, value: datetime | None) -> datetime | None:
        # Checked before make_aware: year 1 overflowed the time zone conversion (500).
        if problem := limits.received_at_problem(value):
            raise ValueError(problem)
        return aware(value)


class Ref(Schema):
    id: int
    name: str


class UnitRef(Ref):
    pass


class UserRef(Ref):
    pass


class CategoryRef(Ref):
    pass


class IntakeOut(Schema):
    id: int
    case_number: str
    query_code: str = Field(description="查询码：仅在登记答复中出现一次，打印在权益保障卡上")
    title: str
    channel: str
    received_at: datetime
    registered_at: datetime
    registering_unit: UnitRef
    url: str


# ---------------------------------------------------------------- list / detail


class PetitionFilters(Schema):
    status: list[StatusValue] | None = Field(None, description="状态，可重复")
    stage: StageValue | None = None
    unit_id: Id | None = Field(None, description="承办单位 id")
    category_id: Id | None = None
    channel: ChannelValue | None = None
    petition_class: literal(*PetitionClass.values) | None = None
    due_state: DueStateValue | None = Field(None, description="on_time 正常 / due_soon 临期 / overdue 超期")
    received_from: date | None = Field(None, description="收到日期起（含）")
    received_to: date | None = Field(None, description="收到日期止（含）")
    q: str | None = Field(None, max_length=100, description="标题包含")
    ordering: literal(
        "received_at",
        "-received_at",
        "current_due",
        "-current_due",
        "case_number",
        "-case_number",
        "registered_at",
        "-registered_at",
    ) = "-received_at"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)
    page: int | None = Field(None, ge=1, le=10**7, description="页码（从 1 开始）；给出时覆盖 offset")


class Labelled(Schema):
    value: str
    label: str


class Flags(Schema):
    is_urgent: bool
    is_litigation: bool
    is_collective: bool
    is_repeat: bool
    is_skip_level: bool
    is_assignment: bool
    is_simple: bool
    is_extended: bool
    is_final: bool


class PetitionItem(Schema):
    id: int
    case_number: str
    title: str
    channel: Labelled
    status: Labelled
    stage: Labelled
    petition_class: Labelled | None
    received_at: datetime
    registered_at: datetime
    registering_unit: UnitRef
    handling_unit: UnitRef | None
    category: CategoryRef | None
    current_due: date | None
    current_due_rule: str
    current_due_provisional: bool
    due_state: DueStateValue | None
    days_left: int | None
    flags: Flags


class PetitionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PetitionItem]


class PetitionerOut(Schema):
    id: int
    kind: str
    name: str
    id_number_masked: str
    phone_masked: str
    email_masked: str
    has_address: bool
    is_representative: bool


class DeadlineOut(Schema):
    id: int
    rule: str
    rule_label: str
    article: str
    start: date
    days: int
    working_days: bool
    extension_days: int
    due: date
    provisional: bool = Field(description="节假日安排未公布时按推算日期计算，公布后会重新计算")
    met_at: datetime | None
    cancelled: bool
    paused: bool
    state: literal("met", "cancelled", "paused", "on_time", "due_soon", "overdue")
    light: literal("green", "yellow", "red", "grey") = Field(
        description="红绿灯：绿正常，黄临期，红超期，灰已结束"
    )


class PetitionDetail(PetitionItem):
    source: str
    request: str
    facts_reasons: str
    content: str
    town: UnitRef | None
    place_address: str
    respondent_unit: UnitRef | None
    respondent_person: str
    claim_route: int | None
    head_count: int
    handler: UserRef | None
    routed_at: datetime | None
    notified_at: datetime | None
    accepted_at: datetime | None
    opinion_delivered_at: datetime | None
    closed_at: datetime | None
    petitioners: list[PetitionerOut]
    deadlines: list[DeadlineOut]
    triage_status: str = Field("", description="研判：done 已完成 / pending 分析中（后台处理）/ none 无")


class EventOut(Schema):
    id: int
    action: str
    action_label: str
    at: datetime
    actor: UserRef | None
    actor_label: str
    unit: UnitRef | None
    from_status: str
    to_status: str
    reason: str
    data: dict
    documents: list[str]
    is_public: bool


# ---------------------------------------------------------------- petitioners


class PetitionRef(Schema):
    id: int
    case_number: str
    title: str
    status: str
    received_at: datetime


class PetitionerMatch(PetitionerOut):
    petitions: list[PetitionRef]


class LookupOut(Schema):
    items: list[PetitionerMatch]


class RevealIn(InputSchema):
    field: literal("id_number", "phone", "address")


class RevealOut(Schema):
    petitioner_id: int
    field: str
    value: str


# ---------------------------------------------------------------- reference data


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    code: str
    parent_id: int | None
    level: str
    kind: str
    path: str
    phone: str
    address: str
    is_active: bool


class CategoryOut(Schema):
    id: int
    name: str
    full_name: str
    code: str
    parent_id: int | None
    is_active: bool
