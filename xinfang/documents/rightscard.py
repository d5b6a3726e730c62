"""The rights-protection card (权益保障卡) handed to each petitioner.

`rights_card_pdf(context, layout="card")` prints a bank-card-sized card (85.6 × 54 mm,
front and back as two pages); `layout="a4"` prints the same content on one A4 sheet.
The card carries the query code in print only: the QR code holds the public lookup
URL with the case number, never the query code, so a photo of the QR reveals nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from xinfang.portal.links import public_url

from .render import FONT_BODY, FONT_HEADING, FONT_TITLE, cn_date, html_to_pdf

LAYOUTS = ("card", "a4")

# Short and faithful to the 信访工作条例 (2022); the article numbers are printed with them.
RIGHTS: tuple[tuple[str, str], ...] = (
    ("可以通过网络、书信、电话、传真、走访等形式反映情况，提出建议、意见或者投诉请求", "第十七条"),
    ("有关机关自收到信访事项之日起15日内书面告知接收情况以及处理途径和程序", "第二十三条"),
    ("申诉求决类事项自受理之日起60日内办结；情况复杂的，经批准可延长，最长30日，并告知理由", "第三十四条"),
    ("不服处理意见的，可以自收到书面答复之日起30日内请求上一级机关复查，复查机关30日内答复", "第三十五条"),
    (
        "不服复查意见的，可以自收到书面答复之日起30日内请求再上一级机关复核，复核机关30日内提出意见",
        "第三十六条",
    ),
    ("可以查询、评价办理情况；任何组织和个人不得打击报复信访人", "第十八条、第二十一条"),
)

DUTIES: tuple[tuple[str, str], ...] = (
    (
        "一般书面提出，写明姓名（名称）、住址和请求、事实、理由；对材料的真实性负责，不得捏造、歪曲事实，不得诬告、陷害他人",
        "第十九条",
    ),
    (
        "走访到有权处理的本级或者上一级机关设立、指定的接待场所；涉诉事项按法定程序向政法部门提出；多人走访的，推选代表不超过5人",
        "第二十条",
    ),
    (
        "遵守法律法规和信访秩序，不得非法聚集、围堵冲击机关、携带危险物品、滞留滋事、侮辱威胁工作人员",
        "第二十六条",
    ),
    ("对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理", "第三十六条"),
)


@dataclass(frozen=True)
class Deadline:
    label: str
    date: str
    provisional: bool

    @property
    def text(self) -> str:
        return self.date + ("（暂定）" if self.provisional else "")


def lookup_url(case_number: str, portal_base_url: str | None = None) -> str:
    """The public lookup page of a case: the QR code's content.  Never add the query code."""
    return public_url("portal:lookup", base=portal_base_url, case=case_number)


def qr_svg(url: str) -> str:
    """An inline SVG QR code, sized by CSS."""
    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#000")


def _deadlines(items) -> list[Deadline]:
    result = []
    for label, date, provisional in items or ():
        text = cn_date(date) if isinstance(date, dt.date) else str(date)
        result.append(Deadline(str(label), text, bool(provisional)))
    return result


def rights_card_html(context: dict, *, layout: str = "card") -> str:
    """The card as HTML; see rights_card_pdf for the context keys."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    case_number = context["case_number"]
    url = lookup_url(case_number, context.get("portal_base_url"))
    received = context.get("received_date")
    values = {
        "layout": layout,
        "case_number": case_number,
        "query_code": context["query_code"],
        "petitioner_name": context.get("petitioner_name", ""),
        "received_date": cn_date(received) if isinstance(received, dt.date) else (received or ""),
        "deadlines": _deadlines(context.get("deadlines")),
        "handling_unit": context.get("handling_unit", ""),
        "handling_unit_phone": context.get("handling_unit_phone", ""),
        "bureau_name": context.get("bureau_name", ""),
        "bureau_phone": context.get("bureau_phone", ""),
        "bureau_address": context.get("bureau_address", ""),
        "lookup_url": url,
        "qr_svg": mark_safe(qr_svg(url)),  # segno output: numbers and a fixed path, no user text
        "rights": RIGHTS,
        "duties": DUTIES,
        "font_title": FONT_TITLE,
        "font_body": FONT_BODY,
        "font_heading": FONT_HEADING,
    }
    return render_to_string("documents/rights_card.html", values)


def rights_card_pdf(context: dict, *, layout: str = "card") -> bytes:
    """The rights card as PDF.

    context: case_number, query_code (both required); petitioner_name, received_date,
    deadlines (a list of (label, date or text, provisional)), handling_unit,
    handling_unit_phone, bureau_name, bureau_phone, bureau_address, portal_base_url
    (default settings.PORTAL_BASE_URL).  layout "card": two pages of 85.6 × 54 mm, front
    and back; "a4": one A4 page.  The PDF is not stored: it holds the query code.
    """
    return html_to_pdf(rights_card_html(context, layout=layout))
