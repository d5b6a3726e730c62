"""Input schemas of the workflow transitions (POST /petitions/{id}/{action}) and their answer."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from xinfang.petitions.choices import (
    ClaimRoute,
    EvaluationStage,
    Outcome,
    PetitionClass,
    Rating,
    RejectionReason,
)

from .schemas import Documents, Id, InputSchema, PetitionItem, literal

Reason = Field(min_length=1, max_length=2000, description="理由")
PetitionReference = Id | str  # an id, or a case number such as 海信〔2026〕00001号


class CreatedRef(Schema):
    type: str
    id: int


class ActionOut(Schema):
    petition: PetitionItem
    created: CreatedRef | None = Field(None, description="该操作新建的记录（意见书、评价、备注等）")


# ---------------------------------------------------------------- inputs


class ClassifyIn(InputSchema):
    petition_class: literal(*PetitionClass.values)
    claim_route: literal(*ClaimRoute.values) | None = Field(None, description="申诉求决类的处理途径（1–6）")
    category_id: Id | None = None
    is_litigation: bool | None = None


class TransferIn(InputSchema):
    unit_id: Id
    reason: str = Field("", max_length=2000)


class AssignIn(TransferIn):
    report_days: int | None = Field(None, ge=1, le=90, description="反馈办结报告期限（日），缺省30日")


class ReasonIn(InputSchema):
    reason: str = Reason


class DecideObjectionIn(ReasonIn):
    uphold: bool = Field(description="true 异议成立（收回重新转送），false 异议不成立")


class NotifyIn(InputSchema):
    text: str = Field("", max_length=2000)
    documents: Documents = []


class AcceptIn(InputSchema):
    simple: bool = Field(False, description="简易办理")
    reason: str = Field("", max_length=2000)
    documents: Documents = []


class RejectIn(ReasonIn):
    reason_code: literal(*RejectionReason.values)
    earlier: PetitionReference | None = Field(None, description="同一事项（id 或信访件编号）")
    competent_body: str = Field(
        "", max_length=200, description="有权处理的机关、单位（不属于本机关职权范围时必填，第二十三条第一款）"
    )
    documents: Documents = []


class RefuseFinalIn(ReasonIn):
    earlier: PetitionReference = Field(description="已复核终结的事项（id 或信访件编号）")
    documents: Documents = []


class DivertIn(ReasonIn):
    claim_route: literal(1, 2, 3, 4)
    documents: Documents = []


class ExtendIn(ReasonIn):
    days: int = Field(ge=1, le=30)
    documents: Documents = []


class OpinionIn(InputSchema):
    outcome: literal(*Outcome.values)
    request: str = Field(min_length=1, max_length=5000)
    facts_reasons: str = Field(min_length=1, max_length=20000)
    findings: str = Field(min_length=1, max_length=20000, description="调查核实情况")
    opinion_text: str = Field(min_length=1, max_length=20000)
    legal_basis: str = Field(min_length=1, max_length=5000)


class DocumentsIn(InputSchema):
    documents: Documents = []


class ApproveOpinionIn(DocumentsIn):
    remarks: str = Field("", max_length=4000, description="审批意见")
    outcome: literal(*Outcome.values) | None = Field(None, description="修改处理结果；缺省不改")
    request: str | None = Field(None, min_length=1, max_length=5000, description="修改后的请求；缺省不改")
    facts_reasons: str | None = Field(None, min_length=1, max_length=20000)
    findings: str | None = Field(None, min_length=1, max_length=20000)
    opinion_text: str | None = Field(None, min_length=1, max_length=20000)
    legal_basis: str | None = Field(None, min_length=1, max_length=5000)


class RequestExtensionIn(ReasonIn):
    days: int = Field(ge=1, le=30, description="申请延长天数（不超过30日）")


class DecideExtensionIn(InputSchema):
    approve: bool = Field(description="true 同意延期，false 不同意")
    remarks: str = Field("", max_length=4000, description="审批意见（不同意时必填）")
    documents: Documents = []


class ConcludeIn(DocumentsIn):
    result: str = Field(min_length=1, max_length=5000, description="办理结果")


class ReportIn(DocumentsIn):
    text: str = Field(min_length=1, max_length=5000, description="办结报告")


class EvaluateIn(InputSchema):
    stage: literal(*EvaluationStage.values)
    rating: literal(*Rating.values)
    comment: str = Field("", max_length=2000)


class ReviewIn(ReasonIn):
    unit_id: Id | None = Field(None, description="复查（复核）机关；缺省为上一级")


class MergeIn(InputSchema):
    into: PetitionReference = Field(description="合并到的事项（id 或信访件编号）")
    reason: str = Field("", max_length=2000)


class RecuseIn(ReasonIn):
    user_id: Id


class PauseIn(ReasonIn):
    start: date


class ResumeIn(InputSchema):
    end: date


class NoteIn(InputSchema):
    text: str = Field(min_length=1, max_length=5000)
