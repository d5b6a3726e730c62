"""POST /petitions/{id}/{action}: one endpoint per workflow transition.

Each endpoint loads the petition through access.get_petition_for (404 when
hidden), locks its row, and calls the action in xinfang.petitions.actions;
permission and state checks live there, never here.  Other petitions are
referred to by id or case number, units and users by id.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from xinfang.accounts.models import User
from xinfang.petitions import actions
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.petitions.models import Petition
from xinfang.units.models import Category, Unit

from . import present
from .errors import ApiError
from .schemas import ERRORS, Id
from .transition_schemas import (
    AcceptIn,
    ActionOut,
    ApproveOpinionIn,
    AssignIn,
    ClassifyIn,
    ConcludeIn,
    DecideExtensionIn,
    DecideObjectionIn,
    DivertIn,
    EvaluateIn,
    ExtendIn,
    MergeIn,
    NoteIn,
    NotifyIn,
    OpinionIn,
    PauseIn,
    ReasonIn,
    RecuseIn,
    RefuseFinalIn,
    RejectIn,
    ReportIn,
    RequestExtensionIn,
    ResumeIn,
    ReviewIn,
    TransferIn,
)

router = Router(tags=["办理流程"])

# ---------------------------------------------------------------- helpers


def unit_ref(unit_id: int | None, field: str = "unit_id") -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ApiError(400, "invalid", "所选单位不存在", fields={field: "所选单位不存在"})
    return unit


def petition_ref(user, reference: int | str | None, field: str) -> Petition | None:
    """Another petition the user may see, by id or case number."""
    if reference is None:
        return None
    qs = visible_petitions(user)
    text = str(reference).strip()
    if re.fullmatch(r"[0-9]{1,16}", text):
        found = qs.filter(pk=int(text)).first()
    else:
        found = qs.filter(case_number=text).first()
    if found is None:
        raise ApiError(
            400, "invalid", "所指信访事项不存在或无权查看", fields={field: "所指信访事项不存在或无权查看"}
        )
    return found


class Ref:
    """Another petition named in the payload, looked up only after the petition
    itself was found (404 first) and the action's declared rule let the user in
    (403/409 before a 400 about the reference)."""

    def __init__(self, reference: int | str | None, field: str) -> None:
        self.reference, self.field = reference, field

    def resolve(self, user):
        return petition_ref(user, self.reference, self.field)


class Later:
    """Any other reference (a document, a delivery of this petition), looked up
    after the declared rule, like Ref."""

    def __init__(self, lookup: Callable[[], object]) -> None:
        self.lookup = lookup

    def resolve(self, user):
        return self.lookup()


def run(request: HttpRequest, petition_id: int, act: Callable[..., object], /, **arguments) -> dict:
    """Load (404 when hidden), lock, check the action's declared rule and call
    ``act(actor=…, petition=…, **arguments)`` in one transaction; answer with the
    petition. Positional-only: some actions take a ``request`` argument."""
    with transaction.atomic():
        petition = get_petition_for(request.auth, petition_id, for_update=True)
        rule = getattr(act, "rule", None)
        if rule is not None:
            rule.enforce(request.auth, petition)
        for key, value in arguments.items():
            if isinstance(value, Ref | Later):
                arguments[key] = value.resolve(request.auth)
        result = act(actor=request.auth, petition=petition, **arguments)
    created = None
    if result is not None and not isinstance(result, Petition):
        created = {"type": result._meta.model_name, "id": result.pk}
    return {"petition": present.petition_item(petition), "created": created}


def action(path: str, summary: str):
    return router.post(
        f"/petitions/{{petition_id}}/{path}", response={200: ActionOut, **ERRORS}, summary=summary
    )


# ---------------------------------------------------------------- endpoints


@action("classify", "分类（类别、处理途径）")
def classify(request, petition_id: Id, payload: ClassifyIn):
    category = None
    if payload.category_id is not None:
        category = Category.objects.filter(pk=payload.category_id).first()
        if category is None:
            raise ApiError(400, "invalid", "所选分类不存在", fields={"category_id": "所选分类不存在"})
    return run(
        request,
        petition_id,
        actions.petition_classify,
        petition_class=payload.petition_class,
        claim_route=payload.claim_route,
        category=category,
        is_litigation=payload.is_litigation,
    )


@action("transfer", "转送")
def transfer(request, petition_id: Id, payload: TransferIn):
    unit = unit_ref(payload.unit_id)
    return run(request, petition_id, actions.petition_transfer, unit=unit, reason=payload.reason)


@action("assign", "交办")
def assign(request, petition_id: Id, payload: AssignIn):
    unit = unit_ref(payload.unit_id)
    return run(
        request,
        petition_id,
        actions.petition_transfer,
        unit=unit,
        reason=payload.reason,
        assign=True,
        report_days=payload.report_days,
    )


@action("object", "提出异议（不属于本单位）")
def object_(request, petition_id: Id, payload: ReasonIn):
    return run(request, petition_id, actions.petition_object, reason=payload.reason)


@action("decide-objection", "核实异议")
def decide_objection(request, petition_id: Id, payload: DecideObjectionIn):
    return run(
        request, petition_id, actions.petition_decide_objection, uphold=payload.uphold, reason=payload.reason
    )


@action("notify", "书面告知信访人")
def notify(request, petition_id: Id, payload: NotifyIn):
    return run(request, petition_id, actions.petition_notify, text=payload.text, documents=payload.documents)


@action("accept", "受理")
def accept(request, petition_id: Id, payload: AcceptIn):
    return run(
        request,
        petition_id,
        actions.petition_accept,
        simple=payload.simple,
        reason=payload.reason,
        documents=payload.documents,
    )


@action("reject", "不予受理")
def reject(request, petition_id: Id, payload: RejectIn):
    earlier = Ref(payload.earlier, "earlier")
    return run(
        request,
        petition_id,
        actions.petition_reject,
        reason_code=payload.reason_code,
        reason=payload.reason,
        earlier=earlier,
        competent_body=payload.competent_body,
        documents=payload.documents,
    )


@action("refuse-final", "不再受理（复核终结后同一事实和理由）")
def refuse_final(request, petition_id: Id, payload: RefuseFinalIn):
    earlier = Ref(payload.earlier, "earlier")
    return run(
        request,
        petition_id,
        actions.petition_refuse_final,
        earlier=earlier,
        reason=payload.reason,
        documents=payload.documents,
    )


@action("divert", "导入法定途径（诉访分离）")
def divert(request, petition_id: Id, payload: DivertIn):
    return run(
        request,
        petition_id,
        actions.petition_divert,
        claim_route=payload.claim_route,
        reason=payload.reason,
        documents=payload.documents,
    )


@action("extend", "延期")
def extend(request, petition_id: Id, payload: ExtendIn):
    return run(
        request,
        petition_id,
        actions.petition_extend,
        days=payload.days,
        reason=payload.reason,
        documents=payload.documents,
    )


@action("request-extension", "申请延期（承办人）")
def request_extension(request, petition_id: Id, payload: RequestExtensionIn):
    return run(
        request, petition_id, actions.petition_request_extension, days=payload.days, reason=payload.reason
    )


@action("decide-extension", "审批延期申请（单位负责人）")
def decide_extension(request, petition_id: Id, payload: DecideExtensionIn):
    return run(
        request,
        petition_id,
        actions.petition_decide_extension,
        approve=payload.approve,
        remarks=payload.remarks,
        documents=payload.documents,
    )


@action("draft-opinion", "拟写意见书")
def draft_opinion(request, petition_id: Id, payload: OpinionIn):
    return run(request, petition_id, actions.petition_draft_opinion, **payload.model_dump())


@action("return-opinion", "退回意见书")
def return_opinion(request, petition_id: Id, payload: ReasonIn):
    return run(request, petition_id, actions.petition_return_opinion, reason=payload.reason)


@action("approve-opinion", "审批并出具意见书（可附审批意见、修改意见书内容）")
def approve_opinion(request, petition_id: Id, payload: ApproveOpinionIn):
    edits = payload.model_dump(exclude={"documents", "remarks"}, exclude_none=True)
    return run(
        request,
        petition_id,
        actions.petition_approve_opinion,
        documents=payload.documents,
        remarks=payload.remarks,
        **edits,
    )


@action("conclude", "办结（不出具意见书）")
def conclude(request, petition_id: Id, payload: ConcludeIn):
    return run(
        request, petition_id, actions.petition_conclude, result=payload.result, documents=payload.documents
    )


@action("report", "报送办结报告（交办件）")
def report(request, petition_id: Id, payload: ReportIn):
    return run(request, petition_id, actions.petition_report, text=payload.text, documents=payload.documents)


@action("evaluate", "登记信访人评价")
def evaluate(request, petition_id: Id, payload: EvaluateIn):
    return run(
        request,
        petition_id,
        actions.petition_evaluate,
        stage=payload.stage,
        rating=payload.rating,
        comment=payload.comment,
    )


@action("request-review", "登记复查申请")
def request_review(request, petition_id: Id, payload: ReviewIn):
    unit = unit_ref(payload.unit_id)
    return run(request, petition_id, actions.petition_request_review, reason=payload.reason, unit=unit)


@action("request-rereview", "登记复核申请")
def request_rereview(request, petition_id: Id, payload: ReviewIn):
    unit = unit_ref(payload.unit_id)
    return run(request, petition_id, actions.petition_request_rereview, reason=payload.reason, unit=unit)


@action("convert-to-normal", "简易办理转为普通程序")
def convert_to_normal(request, petition_id: Id, payload: ReasonIn):
    return run(request, petition_id, actions.petition_convert_to_normal, reason=payload.reason)


@action("merge", "合并到正在办理的同一事项")
def merge(request, petition_id: Id, payload: MergeIn):
    into = Ref(payload.into, "into")
    return run(request, petition_id, actions.petition_merge, into=into, reason=payload.reason)


@action("send-up", "报送上级信访部门（属于上级职权的事项）")
def send_up(request, petition_id: Id, payload: ReasonIn):
    return run(request, petition_id, actions.petition_send_up, reason=payload.reason)


@action("withdraw", "登记信访人撤回")
def withdraw(request, petition_id: Id, payload: ReasonIn):
    return run(request, petition_id, actions.petition_withdraw, reason=payload.reason)


@action("reopen", "重新办理")
def reopen(request, petition_id: Id, payload: ReasonIn):
    return run(request, petition_id, actions.petition_reopen, reason=payload.reason)


@action("recuse", "登记回避")
def recuse(request, petition_id: Id, payload: RecuseIn):
    user = User.objects.filter(pk=payload.user_id, is_active=True).first()
    if user is None:
        raise ApiError(400, "invalid", "所选工作人员不存在", fields={"user_id": "所选工作人员不存在"})
    return run(request, petition_id, actions.petition_recuse, user=user, reason=payload.reason)


@action("unrecuse", "撤销回避")
def unrecuse(request, petition_id: Id, payload: RecuseIn):
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise ApiError(400, "invalid", "所选工作人员不存在", fields={"user_id": "所选工作人员不存在"})
    return run(request, petition_id, actions.petition_unrecuse, user=user, reason=payload.reason)


@action("pause-clock", "中止计时（听证）")
def pause_clock(request, petition_id: Id, payload: PauseIn):
    return run(request, petition_id, actions.petition_pause_clock, start=payload.start, reason=payload.reason)


@action("resume-clock", "恢复计时")
def resume_clock(request, petition_id: Id, payload: ResumeIn):
    return run(request, petition_id, actions.petition_resume_clock, end=payload.end)


@action("notes", "添加内部备注")
def add_note(request, petition_id: Id, payload: NoteIn):
    return run(request, petition_id, actions.note_add, text=payload.text)
