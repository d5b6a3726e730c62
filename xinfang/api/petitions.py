"""Petitions: intake (登记), the list, one petition, its timeline and deadlines."""

from __future__ import annotations

from datetime import datetime, time

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from xinfang.lib import crypto
from xinfang.petitions.access import get_petition_for, visible_petitions
from xinfang.petitions.actions import (
    PetitionerInput,
    PetitionInput,
    petition_register,
    petition_register_idempotent,
)
from xinfang.petitions.actions.intake import request_fingerprint
from xinfang.petitions.errors import ActionError

from . import present
from .errors import ApiError
from .schemas import (
    ERRORS,
    DeadlineOut,
    EventOut,
    Id,
    IntakeIn,
    IntakeOut,
    PetitionDetail,
    PetitionFilters,
    PetitionPage,
)

router = Router(tags=["信访事项"])

IDEMPOTENCY_HEADER = "Idempotency-Key"
# validate_input reports the unit and category fields without their "_id".
INTAKE_FIELD_NAMES = {"town": "town_id", "respondent_unit": "respondent_unit_id", "category": "category_id"}
LIST_RELATIONS = ("registering_unit", "handling_unit", "category")

IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": 100},
            "description": "幂等键：同一键和同一请求体重试时返回同一信访事项（200），同一键不同请求体返回 409",
        }
    ]
}


def petition_input(payload: IntakeIn) -> PetitionInput:
    data = payload.model_dump(exclude={"petitioners"})
    return PetitionInput(petitioners=[PetitionerInput(**p.model_dump()) for p in payload.petitioners], **data)


def intake_out(petition, query_code: str) -> dict:
    return {
        "id": petition.pk,
        "case_number": petition.case_number,
        "query_code": query_code,
        "title": petition.title,
        "channel": petition.channel,
        "received_at": petition.received_at,
        "registered_at": petition.registered_at,
        "registering_unit": present.ref(petition.registering_unit),
        "url": reverse("api:petition_detail", kwargs={"petition_id": petition.pk}),
    }


@router.post(
    "/petitions",
    response={200: IntakeOut, 201: IntakeOut, **ERRORS},
    summary="登记信访事项",
    description="登记一件信访事项。带 Idempotency-Key 时可安全重试：首次 201，重试 200 且答复相同。",
    openapi_extra=IDEMPOTENCY_DOC,
)
def petition_intake(request: HttpRequest, response: HttpResponse, payload: IntakeIn):
    user = request.auth
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > 100:
        raise ApiError(
            400, "invalid", "幂等键不能超过100个字符", fields={IDEMPOTENCY_HEADER: "不能超过100个字符"}
        )
    data = petition_input(payload)
    try:
        if key:
            fingerprint = request_fingerprint(payload.model_dump(mode="json"))
            petition, created = petition_register_idempotent(
                actor=user, data=data, key=key, fingerprint=fingerprint
            )
        else:
            petition, created = petition_register(actor=user, data=data), True
    except ActionError as exc:
        exc.fields = {INTAKE_FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()}
        raise
    # The plain query code is on the new object; a replay decrypts the stored one.
    code = petition.query_code if created else crypto.decrypt(petition.query_code_enc)
    response["Cache-Control"] = "no-store"
    if created:
        response["Location"] = reverse("api:petition_detail", kwargs={"petition_id": petition.pk})
    return Status(201 if created else 200, intake_out(petition, code))


def _filtered(user, filters: PetitionFilters):
    qs = visible_petitions(user)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.unit_id:
        qs = qs.filter(handling_unit_id=filters.unit_id)
    if filters.category_id:
        qs = qs.filter(category_id=filters.category_id)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.petition_class:
        qs = qs.filter(petition_class=filters.petition_class)
    if filters.due_state:
        qs = qs.with_due_state(filters.due_state)
    if filters.received_from:
        qs = qs.filter(
            received_at__gte=timezone.make_aware(datetime.combine(filters.received_from, time.min))
        )
    if filters.received_to:
        qs = qs.filter(received_at__lte=timezone.make_aware(datetime.combine(filters.received_to, time.max)))
    if filters.q:
        qs = qs.filter(title__icontains=filters.q.strip())
    return qs


@router.get("/petitions", response={200: PetitionPage, **ERRORS}, summary="信访事项列表")
def petition_list(request: HttpRequest, filters: Query[PetitionFilters]):
    """Two queries per page whatever its size: the count and the rows."""
    qs = _filtered(request.auth, filters)
    offset = (filters.page - 1) * filters.limit if filters.page else filters.offset
    count = qs.count()
    rows = qs.select_related(*LIST_RELATIONS).order_by(filters.ordering, "-pk")[
        offset : offset + filters.limit
    ]
    today = present.local_today()
    return {
        "count": count,
        "limit": filters.limit,
        "offset": offset,
        "items": [present.petition_item(p, today) for p in rows],
    }


@router.get(
    "/petitions/{petition_id}",
    response={200: PetitionDetail, **ERRORS},
    summary="信访事项详情",
    url_name="petition_detail",
)
def petition_detail(request: HttpRequest, petition_id: Id):
    return present.petition_detail(get_petition_for(request.auth, petition_id))


@router.get(
    "/petitions/{petition_id}/events", response={200: list[EventOut], **ERRORS}, summary="办理过程（时间线）"
)
def petition_events(request: HttpRequest, petition_id: Id):
    petition = get_petition_for(request.auth, petition_id)
    events = petition.events.select_related("actor", "unit").order_by("at", "pk")
    return [present.event_out(e) for e in events]


@router.get("/petitions/{petition_id}/deadlines", response={200: list[DeadlineOut], **ERRORS}, summary="期限")
def petition_deadlines(request: HttpRequest, petition_id: Id):
    return present.deadlines_of(get_petition_for(request.auth, petition_id))
