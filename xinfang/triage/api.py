"""JSON API of triage (mounted by xinfang.api at /api/v1/triage): the same answers as the desk panel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from xinfang.api.errors import ApiError
from xinfang.api.schemas import ERRORS, Id
from xinfang.petitions.access import get_petition_for
from xinfang.web.views.desk import can_register

from .inputs import draft_kwargs
from .service import analyse_request, apply_suggestion, record_json

router = Router(tags=["智能研判"])


class PersonIn(Schema):
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False


class AnalyseIn(Schema):
    title: str = ""
    content: str = ""
    request: str = ""
    facts_reasons: str = ""
    channel: str = "visit"
    head_count: int | None = None
    town_id: Id | None = None
    place_address: str = ""
    petitioners: list[PersonIn] = []
    petitioner_ids: list[Id] = []  # bounded: 10**30 overflowed the database driver (500)


class TriageOut(Schema):
    model_version: int | None
    suggestions: dict[str, Any]
    flags: list[dict[str, Any]]
    history: list[dict[str, Any]]
    similar: list[dict[str, Any]]
    elapsed_ms: float


class ApplyIn(Schema):
    field: str
    value: str


class ApplyOut(Schema):
    field: str
    chosen: str
    accepted: bool


@router.post(
    "/analyse", response={200: TriageOut, **ERRORS}, summary="登记研判（建议、标记、历史、相似事项）"
)
def analyse(request: HttpRequest, payload: AnalyseIn):
    user = request.auth
    if not can_register(user):
        raise ApiError(403, "forbidden", "您无权使用登记研判")
    data = payload.model_dump()
    return analyse_request(user, draft_kwargs(data, data["petitioners"]), request=request)


@router.get(
    "/petitions/{petition_id}", response={200: dict[str, Any], **ERRORS}, summary="信访事项的研判结果"
)
def petition_triage(request: HttpRequest, petition_id: int):
    body = record_json(request.auth, get_petition_for(request.auth, petition_id))
    if body is None:
        raise ApiError(404, "not_found", "该事项尚无研判结果")
    return body


@router.post(
    "/petitions/{petition_id}/apply", response={200: ApplyOut, **ERRORS}, summary="采用或纠正研判建议"
)
def apply(request: HttpRequest, petition_id: int, payload: ApplyIn):
    petition = get_petition_for(request.auth, petition_id)
    correction = apply_suggestion(
        actor=request.auth, petition=petition, field=payload.field, value=payload.value
    )
    return {"field": correction.field, "chosen": correction.chosen, "accepted": correction.accepted}
