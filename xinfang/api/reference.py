"""Reference data: units (机关单位) and categories (分类)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xinfang.units.models import Category, Unit, UnitKind

from .schemas import ERRORS, CategoryOut, UnitOut, literal

router = Router(tags=["基础数据"])


class UnitQuery(Schema):
    kind: literal(*UnitKind.values) | None = None
    include_inactive: bool = Field(False, description="包括已停用的单位")


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="机关单位")
def unit_list(request: HttpRequest, query: Query[UnitQuery]):
    qs = Unit.objects.all() if query.include_inactive else Unit.objects.active()
    if query.kind:
        qs = qs.filter(kind=query.kind)
    return list(qs.order_by("path"))


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="信访事项分类")
def category_list(request: HttpRequest):
    return [
        {
            "id": c.pk,
            "name": c.name,
            "full_name": str(c),
            "code": c.code,
            "parent_id": c.parent_id,
            "is_active": c.is_active,
        }
        for c in Category.objects.select_related("parent").order_by("sort_order", "code")
    ]
