"""送达: recording how and when an issued document reached the petitioner.

One function per transition, each writing a petition event:

- document_deliver: a completed delivery — handed over against a signature, or
  posted with the date on the signed return receipt;
- document_send: sent by post, on the portal or as an SMS link, not yet received;
- document_confirm_receipt: the signed postal receipt came back;
- document_confirm_opened: the petitioner opened it on the portal or through the SMS link.

The periods the regulation counts from receipt start here, never at issue: the
30-day 复查 window from receipt of the 信访处理意见书 (Art. 35) and the 复核
window from receipt of the 复查意见书 (Art. 36).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule
from xinfang.lib import crypto
from xinfang.petitions.actions._core import record_event, require_text
from xinfang.petitions.actions.rules import UNSEEN_MESSAGE, Allow, Who, actor_refused_by, declare, in_sight
from xinfang.petitions.choices import Stage, Status
from xinfang.petitions.deadlines import open_deadline, open_deadline_for, refresh_current_due
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction, Petition
from xinfang.units import bureaus

from .kinds import SPECS, DocumentKind
from .models import ELECTRONIC_METHODS, Delivery, DeliveryMethod, IssuedDocument

# Kinds whose delivery is recorded (documents for the petitioner, receipt excepted).
SERVED_KINDS = frozenset(kind.value for kind, spec in SPECS.items() if spec.needs_delivery)
# Receipt of these documents opens the petitioner's window to ask the next body.
WINDOWS = {
    DocumentKind.HANDLING_OPINION: (Stage.INITIAL, DeadlineRule.REVIEW_REQUEST),
    DocumentKind.REVIEW_OPINION: (Stage.REVIEW, DeadlineRule.REREVIEW_REQUEST),
}
SERVERS = (Role.HANDLER, Role.UNIT_LEADER, Role.REGISTRAR, Role.BUREAU_LEADER)
SMS_LINK_DAYS = 30


def undelivered_documents(petition: Petition):
    """The petition's documents for the petitioner that no delivery has reached yet."""
    return IssuedDocument.objects.filter(
        petition=petition, kind__in=SERVED_KINDS, delivered_at__isnull=True
    ).order_by("issued_at", "pk")


def server_refusal(actor, petition: Petition, document: IssuedDocument | None) -> ActionError | None:
    """Staff of the issuing unit (or a unit above it) or of the petition bureau, who see the matter."""
    if not getattr(actor, "is_authenticated", False) or actor.role not in SERVERS:
        return Forbidden()
    if not in_sight(actor, petition):
        return Forbidden(UNSEEN_MESSAGE)
    if document is None or document.petition_id != petition.pk:
        return ActionError("invalid", "该文书不属于本信访事项", fields={"document": "请选择本事项的文书"})
    if actor.is_bureau_staff and actor.role in {Role.REGISTRAR, Role.BUREAU_LEADER}:
        # the bureau holding the matter; an upper bureau reads the delivery, it does not serve
        return None if bureaus.owns_matter(actor, petition) else Forbidden(NOT_SERVER)
    if actor.unit is None or not document.issuing_unit.is_within(actor.unit):
        return Forbidden(NOT_SERVER)
    return None


NOT_SERVER = "只有出具文书的机关、单位或信访部门可以登记送达"


def may_serve(actor, petition: Petition, document: IssuedDocument) -> bool:
    return server_refusal(actor, petition, document) is None


def servable_documents(actor, petition: Petition) -> list[IssuedDocument]:
    """The undelivered documents of `petition` whose delivery `actor` may record."""
    rows = undelivered_documents(petition).select_related("issuing_unit")
    return [d for d in rows if may_serve(actor, petition, d)]


def pending_posts(actor, petition: Petition) -> list[Delivery]:
    """Posted documents awaiting their signed receipt, that `actor` may confirm."""
    rows = Delivery.objects.filter(
        petition=petition,
        method=DeliveryMethod.POST,
        delivered_at__isnull=True,
        document__delivered_at__isnull=True,
    ).select_related("document", "document__issuing_unit")
    return [d for d in rows if may_serve(actor, petition, d.document)]


SERVER = Who(frozenset(SERVERS), in_sight, UNSEEN_MESSAGE)


def _nothing_to_serve(actor, petition: Petition) -> ActionError | None:
    """The rule of deliver and send: a document of this petition awaits delivery
    and the actor's unit issued it (or the actor is at the bureau)."""
    if servable_documents(actor, petition):
        return None
    if undelivered_documents(petition).exists():
        return Forbidden(NOT_SERVER)
    return WrongState("没有待送达的文书")


def _no_pending_post(actor, petition: Petition) -> ActionError | None:
    if pending_posts(actor, petition):
        return None
    return WrongState("没有等待回执的邮寄送达")


def _document_params(actor, petition: Petition, *, document=None, **_) -> ActionError | None:
    return server_refusal(actor, petition, document) if actor is not None else None


def _delivery_params(actor, petition: Petition, *, delivery=None, **_) -> ActionError | None:
    if delivery is None:
        return ActionError("invalid", "请选择邮寄送达记录", fields={"delivery": "请选择邮寄送达记录"})
    return server_refusal(actor, petition, delivery.document)


def _check_served(document: IssuedDocument) -> None:
    if document.kind not in SERVED_KINDS:
        raise ActionError("invalid", "该文书无需向信访人送达", fields={"document": "请选择需送达的文书"})
    if document.delivered_at is not None:
        raise WrongState("该文书已送达，无需重复登记")


def _moment(value: date | datetime | None, field: str, document: IssuedDocument) -> datetime:
    """An aware datetime not in the future and not before the document's issue date."""
    if value is None:
        raise ActionError("invalid", "请填写送达日期", fields={field: "请填写签收日期"})
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now():
        raise ActionError("invalid", "送达日期不能晚于今天", fields={field: "不能晚于今天"})
    if timezone.localtime(value).date() < timezone.localtime(document.issued_at).date():
        raise ActionError("invalid", "送达日期不能早于文书出具日期", fields={field: "不能早于出具日期"})
    return value


def _event(delivery: Delivery, *, step: str, actor=None, actor_label: str = "") -> None:
    document = delivery.document
    data = {
        "step": step,
        "document_id": document.pk,
        "number": document.number,
        "kind": document.kind,
        "method": delivery.method,
        "delivery_id": delivery.pk,
    }
    if delivery.delivered_at:
        data["delivered_at"] = delivery.delivered_at.isoformat()
    if delivery.signed_by:
        data["signed_by"] = delivery.signed_by
    if delivery.tracking_number:
        data["tracking_number"] = delivery.tracking_number
    record_event(
        delivery.petition,
        action=EventAction.DELIVER,
        actor=actor,
        actor_label=actor_label,
        data=data,
        documents=[document.number],
    )


def _complete(delivery: Delivery, at: datetime, *, actor=None, actor_label: str = "") -> Delivery:
    """Mark the delivery and its document received at `at` and start the periods counted from receipt."""
    if Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(delivered_at=at) != 1:
        raise WrongState("该送达已确认，请刷新后重试")
    delivery.delivered_at = at
    document = delivery.document
    if IssuedDocument.objects.filter(pk=document.pk, delivered_at__isnull=True).update(delivered_at=at) != 1:
        raise WrongState("该文书已送达，无需重复登记")
    document.delivered_at = at
    _event(delivery, step="delivered", actor=actor, actor_label=actor_label)
    start_receipt_periods(document, at)
    return delivery


def start_receipt_periods(document: IssuedDocument, at: datetime) -> None:
    """Open the review (re-review) request window when the current stage's opinion is received."""
    if document.kind not in WINDOWS:
        return
    stage, rule = WINDOWS[DocumentKind(document.kind)]
    petition = Petition.objects.get(pk=document.petition_id)
    latest = petition.documents.filter(kind=document.kind).order_by("-issued_at", "-pk").first()
    if petition.status != Status.OPINION_ISSUED or petition.stage != stage or latest.pk != document.pk:
        return
    opinion = (
        petition.opinions.filter(stage=stage, approved_at__isnull=False).order_by("-approved_at").first()
    )
    if opinion is not None and opinion.delivered_at is None:
        type(opinion).objects.filter(pk=opinion.pk).update(delivered_at=at)
    if open_deadline_for(petition, rule) is None:
        open_deadline(petition, rule, at)
        refresh_current_due(petition)


@transaction.atomic
@declare("deliver", Allow(SERVER, None, actor_refused_by(_nothing_to_serve)), params=_document_params)
def document_deliver(
    *,
    actor,
    petition: Petition,
    document: IssuedDocument,
    method: str,
    at: date | datetime | None = None,
    signed_by: str = "",
    tracking_number: str = "",
    note: str = "",
) -> Delivery:
    """A completed delivery: 直接送达 signed by the petitioner (or an adult family
    member) at `at`, or 邮寄送达 with the date on the signed return receipt."""
    _check_served(document)
    if method not in {DeliveryMethod.DIRECT, DeliveryMethod.POST}:
        raise ActionError(
            "invalid",
            "网上和短信送达以信访人打开为准，请用“发送”登记",
            fields={"method": "请选择直接送达或邮寄送达"},
        )
    if method == DeliveryMethod.DIRECT:
        signed_by = require_text(signed_by, "signed_by", "直接送达须由受送达人签收", summary="请填写签收人")
    else:
        tracking_number = require_text(
            tracking_number, "tracking_number", "请填写邮件单号", summary="请填写邮件单号"
        )
    when = _moment(at or (timezone.now() if method == DeliveryMethod.DIRECT else None), "at", document)
    delivery = Delivery.objects.create(
        document=document,
        petition=petition,
        method=method,
        sent_by=actor,
        confirmed_by=actor,
        signed_by=signed_by.strip()[:60],
        tracking_number=tracking_number.strip()[:40],
        note=(note or "").strip()[:200],
    )
    return _complete(delivery, when, actor=actor)


def sms_link_token(delivery: Delivery) -> str:
    """A new random token for the SMS link; only its keyed hash is stored."""
    token = secrets.token_urlsafe(24)
    delivery.token_hash = crypto.lookup_hash(token, purpose="delivery_link")
    Delivery.objects.filter(pk=delivery.pk).update(token_hash=delivery.token_hash)
    return token


@transaction.atomic
@declare("send_document", Allow(SERVER, None, actor_refused_by(_nothing_to_serve)), params=_document_params)
def document_send(
    *,
    actor,
    petition: Petition,
    document: IssuedDocument,
    method: str,
    tracking_number: str = "",
    note: str = "",
) -> Delivery:
    """Sent but not yet received: by post (until the signed receipt), on the portal
    or by SMS link (until the petitioner opens it).  An SMS carries a link that
    opens the document; `delivery.link_token` is that token."""
    _check_served(document)
    if method not in {DeliveryMethod.POST, *ELECTRONIC_METHODS}:
        raise ActionError("invalid", "请选择送达方式", fields={"method": "请选择邮寄、网上或短信送达"})
    if method == DeliveryMethod.POST:
        tracking_number = require_text(
            tracking_number, "tracking_number", "请填写邮件单号", summary="请填写邮件单号"
        )
    if method == DeliveryMethod.PORTAL and not document.is_public:
        raise ActionError("invalid", "该文书未在网上信访平台公开", fields={"method": "请选择其他送达方式"})
    if Delivery.objects.filter(document=document, method=method, delivered_at__isnull=True).exists():
        raise WrongState("已以该方式发送，正在等待签收或打开")
    delivery = Delivery.objects.create(
        document=document,
        petition=petition,
        method=method,
        sent_by=actor,
        tracking_number=tracking_number.strip()[:40],
        note=(note or "").strip()[:200],
    )
    delivery.link_token = ""
    if method == DeliveryMethod.SMS:
        from xinfang.notifications.messages import notify_petitioners

        delivery.link_token = sms_link_token(delivery)
        if not notify_petitioners(
            petition, "document_sent", {"title": document.title, "url": sms_link_url(delivery.link_token)}
        ):
            raise ActionError(
                "invalid",
                "信访人没有登记手机号码或电子邮箱，不能以短信送达",
                fields={"method": "请选择其他送达方式"},
            )
    _event(delivery, step="sent", actor=actor)
    return delivery


def sms_link_url(token: str) -> str:
    from django.urls import reverse

    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("portal:delivery", args=[token])


@transaction.atomic
@declare("confirm_receipt", Allow(SERVER, None, actor_refused_by(_no_pending_post)), params=_delivery_params)
def document_confirm_receipt(
    *, actor, petition: Petition, delivery: Delivery, at: date | datetime | None, signed_by: str = ""
) -> Delivery:
    """The signed return receipt of a posted document came back: delivered on its date."""
    if delivery.petition_id != petition.pk or delivery.method != DeliveryMethod.POST:
        raise ActionError("invalid", "请选择本事项的邮寄送达记录", fields={"delivery": "请选择邮寄送达记录"})
    if delivery.delivered_at is not None or delivery.document.delivered_at is not None:
        raise WrongState("该文书已送达，无需重复登记")
    when = _moment(at, "at", delivery.document)
    Delivery.objects.filter(pk=delivery.pk).update(
        confirmed_by=actor, signed_by=(signed_by or "").strip()[:60]
    )
    delivery.signed_by = (signed_by or "").strip()[:60]
    return _complete(delivery, when, actor=actor)


@transaction.atomic
def document_confirm_opened(
    *, document: IssuedDocument, method: str, delivery: Delivery | None = None
) -> Delivery | None:
    """The petitioner opened the document on the portal or through the SMS link: it is
    delivered now.  Returns None when it had already been delivered."""
    if method not in ELECTRONIC_METHODS:
        raise ActionError("invalid", "只有网上或短信送达以打开为准")
    if document.kind not in SERVED_KINDS or document.delivered_at is not None:
        return None
    if delivery is None:
        delivery = Delivery.objects.filter(
            document=document, method=method, delivered_at__isnull=True
        ).first()
    if delivery is None:
        # Shown on the portal without being sent first: the opening is the delivery.
        delivery = Delivery.objects.create(document=document, petition_id=document.petition_id, method=method)
    try:
        with transaction.atomic():
            return _complete(delivery, timezone.now(), actor_label="信访人")
    except WrongState:
        return None


def delivery_for_token(token: str) -> Delivery | None:
    """The SMS delivery of `token` while its link is valid."""
    if not token or len(token) > 64:
        return None
    delivery = (
        Delivery.objects.select_related("document", "petition")
        .filter(method=DeliveryMethod.SMS, token_hash=crypto.lookup_hash(token, purpose="delivery_link"))
        .first()
    )
    if delivery is None or delivery.sent_at < timezone.now() - timedelta(days=SMS_LINK_DAYS):
        return None
    return delivery


def confirm_shown_on_portal(petition: Petition, documents) -> int:
    """The portal case page showed `documents` to the petitioner: each one not yet
    delivered is delivered now.  Returns how many."""
    count = 0
    for document in documents:
        if document.kind in SERVED_KINDS and document.delivered_at is None:
            count += document_confirm_opened(document=document, method=DeliveryMethod.PORTAL) is not None
    return count
