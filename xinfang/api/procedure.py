"""POST /petitions/{id}/…: delivery (送达) of issued documents and the procedures of
Arts. 24, 32 and 33, in the pattern of transitions.py (load through access, lock,
call the action; the rules live in the actions)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Router

from xinfang.documents import delivery as served
from xinfang.documents.models import Delivery, IssuedDocument
from xinfang.petitions import actions
from xinfang.petitions.models import SettlementKind

from .errors import ApiError
from .schemas import ERRORS, Documents, Id, InputSchema, literal
from .transition_schemas import ActionOut
from .transitions import Later, run, unit_ref

router = Router(tags=["送达和其他程序"])


def action(path: str, summary: str):
    return router.post(
        f"/petitions/{{petition_id}}/{path}", response={200: ActionOut, **ERRORS}, summary=summary
    )


def document_ref(petition_id: int, document_id: int) -> IssuedDocument:
    """A document of this petition (the action checks who may serve it)."""
    document = IssuedDocument.objects.filter(pk=document_id, petition_id=petition_id).first()
    if document is None:
        raise ApiError(400, "invalid", "该事项没有这份文书", fields={"document_id": "该事项没有这份文书"})
    return document


class DeliverIn(InputSchema):
    document_id: Id
    method: literal("direct", "post")
    at: datetime | date | None = Field(None, description="签收时间；邮寄送达为回执签收日期（必填）")
    signed_by: str = Field("", max_length=60, description="签收人（直接送达必填）")
    tracking_number: str = Field("", max_length=40, description="邮件单号（邮寄送达必填）")
    note: str = Field("", max_length=200)


class SendIn(InputSchema):
    document_id: Id
    method: literal("post", "portal", "sms")
    tracking_number: str = Field("", max_length=40)
    note: str = Field("", max_length=200)


class ConfirmReceiptIn(InputSchema):
    delivery_id: Id
    at: date
    signed_by: str = Field("", max_length=60)


class RaiseDisputeIn(InputSchema):
    unit_ids: list[Id] = Field(min_length=1, max_length=10, description="有争议的其他单位")
    reason: str = Field(min_length=1, max_length=2000)


class DecideDisputeIn(InputSchema):
    unit_id: Id
    decision: str = Field(min_length=1, max_length=2000)


class ImplementationIn(InputSchema):
    result: str = Field(min_length=1, max_length=5000)
    documents: Documents = []


class StartSettlementIn(InputSchema):
    kind: literal(*SettlementKind.values)
    other_party: str = Field(min_length=1, max_length=100)
    petitioner_consents: bool
    other_party_consents: bool
    consent_date: date | None = None


class SettleIn(InputSchema):
    terms: str = Field(min_length=1, max_length=8000)


class EndSettlementIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000)


@action("deliver", "登记送达（直接送达签收、邮寄回执）")
def deliver(request, petition_id: Id, payload: DeliverIn):
    return run(
        request,
        petition_id,
        served.document_deliver,
        document=Later(lambda: document_ref(petition_id, payload.document_id)),
        method=payload.method,
        at=payload.at,
        signed_by=payload.signed_by,
        tracking_number=payload.tracking_number,
        note=payload.note,
    )


@action("send-document", "发送文书（邮寄、网上信访平台、短信链接），待签收或打开")
def send_document(request, petition_id: Id, payload: SendIn):
    return run(
        request,
        petition_id,
        served.document_send,
        document=Later(lambda: document_ref(petition_id, payload.document_id)),
        method=payload.method,
        tracking_number=payload.tracking_number,
        note=payload.note,
    )


@action("confirm-receipt", "登记邮寄送达回执")
def confirm_receipt(request, petition_id: Id, payload: ConfirmReceiptIn):
    def found() -> Delivery:
        delivery = Delivery.objects.filter(pk=payload.delivery_id, petition_id=petition_id).first()
        if delivery is None:
            raise ApiError(400, "invalid", "该事项没有这条送达记录", fields={"delivery_id": "送达记录不存在"})
        return delivery

    return run(
        request,
        petition_id,
        served.document_confirm_receipt,
        delivery=Later(found),
        at=payload.at,
        signed_by=payload.signed_by,
    )


@action("raise-dispute", "受理争议，提请共同的上一级机关决定（第二十四条）")
def raise_dispute(request, petition_id: Id, payload: RaiseDisputeIn):
    units = [unit_ref(unit_id, "unit_ids") for unit_id in payload.unit_ids]
    return run(request, petition_id, actions.petition_raise_dispute, units=units, reason=payload.reason)


@action("decide-dispute", "决定受理机关（第二十四条）")
def decide_dispute(request, petition_id: Id, payload: DecideDisputeIn):
    return run(
        request,
        petition_id,
        actions.petition_decide_dispute,
        unit=unit_ref(payload.unit_id),
        decision=payload.decision,
    )


@action("record-implementation", "登记支持意见的落实情况（第三十二条第二款）")
def record_implementation(request, petition_id: Id, payload: ImplementationIn):
    return run(
        request,
        petition_id,
        actions.petition_record_implementation,
        result=payload.result,
        documents=payload.documents,
    )


@action("start-settlement", "经双方同意开始调解或和解（第三十三条）")
def start_settlement(request, petition_id: Id, payload: StartSettlementIn):
    return run(request, petition_id, actions.petition_start_settlement, **payload.model_dump())


@action("settle", "达成调解（和解）协议并出具协议书")
def settle(request, petition_id: Id, payload: SettleIn):
    return run(request, petition_id, actions.petition_settle, terms=payload.terms)


@action("end-settlement", "调解（和解）未达成一致，继续办理")
def end_settlement(request, petition_id: Id, payload: EndSettlementIn):
    return run(request, petition_id, actions.petition_end_settlement, reason=payload.reason)
