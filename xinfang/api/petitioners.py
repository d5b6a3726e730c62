"""Petitioners: exact lookup by ID number or phone, and the audited reveal of one field."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from xinfang.petitions import personal
from xinfang.petitions.access import visible_petitions
from xinfang.petitions.models import Petitioner

from . import present
from .errors import ApiError
from .schemas import ERRORS, Id, LookupOut, RevealIn, RevealOut

router = Router(tags=["信访人"])


class LookupQuery(Schema):
    id_number: str = Field("", max_length=30, description="身份证号码（精确查询）")
    phone: str = Field("", max_length=30, description="电话号码（精确查询）")


@router.get(
    "/petitioners/lookup", response={200: LookupOut, **ERRORS}, summary="按证件号或电话查询信访人（留痕）"
)
def petitioner_lookup(request: HttpRequest, response: HttpResponse, query: Query[LookupQuery]):
    """Every match is written to the audit log (personal.find_petitioners)."""
    id_number, phone = query.id_number.strip(), query.phone.strip()
    if bool(id_number) == bool(phone):
        message = "请填写身份证号码或电话号码中的一项"
        raise ApiError(400, "invalid", message, fields={"id_number": message, "phone": message})
    user = request.auth
    matches = personal.find_petitioners(user, id_number=id_number, phone=phone, request=request)
    petitions: dict[int, list[dict]] = {m.pk: [] for m in matches}
    rows = (
        visible_petitions(user)
        .filter(petitioner_links__petitioner__in=matches)
        .values("id", "case_number", "title", "status", "received_at", "petitioner_links__petitioner_id")
        .order_by("-received_at")
    )
    for row in rows:
        petitions[row.pop("petitioner_links__petitioner_id")].append(row)
    response["Cache-Control"] = "no-store"
    return {"items": [{**present.petitioner_out(m), "petitions": petitions[m.pk]} for m in matches]}


@router.post(
    "/petitioners/{petitioner_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="查看一项完整个人信息（留痕）",
)
def petitioner_reveal(request: HttpRequest, response: HttpResponse, petitioner_id: Id, payload: RevealIn):
    """Decrypts one field for a petitioner on a petition the user may see; writes the audit row first."""
    petitioner = Petitioner.objects.filter(pk=petitioner_id).first()
    if petitioner is None:
        raise Http404("信访人不存在或无权查看")
    value = personal.reveal(request.auth, petitioner, payload.field, request=request)
    response["Cache-Control"] = "no-store"
    return {"petitioner_id": petitioner.pk, "field": payload.field, "value": value}
