"""Small helpers shared by the reception, ownership and commitments views for
their create pages and lists (the steps on a record go through xinfang.web.steps)."""

from __future__ import annotations

from datetime import date, time

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.errors import ActionError


class FormErrors(ActionError):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("invalid", _("请检查填写的内容"), fields=fields)


class Parser:
    """Reads POST fields, collecting field errors instead of raising at the first."""

    def __init__(self, data) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def text(self, name: str, required: bool = False) -> str:
        value = (self.data.get(name) or "").strip()
        if required and not value:
            self.errors[name] = _("此项为必填项")
        return value

    def date(self, name: str, required: bool = True) -> date | None:
        raw = (self.data.get(name) or "").strip()
        if not raw:
            if required:
                self.errors[name] = _("请填写日期")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("日期格式应为 YYYY-MM-DD")
            return None

    def time(self, name: str) -> time | None:
        raw = (self.data.get(name) or "").strip()
        try:
            return time.fromisoformat(raw)
        except ValueError:
            self.errors[name] = _("请填写时间，如 09:00")
            return None

    def int(self, name: str, required: bool = True, default: int | None = None) -> int | None:
        raw = (self.data.get(name) or "").strip()
        if not raw:
            if required and default is None:
                self.errors[name] = _("此项为必填项")
            return default
        try:
            return int(raw)
        except ValueError:
            self.errors[name] = _("请填写数字")
            return default

    def check(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)


def form_errors(request) -> dict:
    return getattr(request, "form_errors", {})


def page(request, qs, per_page: int = 30):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))
