"""The kinds of official document the workflow issues, with their legal basis and 文号 pattern.

Pure data: no database access, so rendering and tests can use it without Django models.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class DocumentKind(models.TextChoices):
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理告知书"
    REJECTION_NOTICE = "rejection_notice", "不予受理告知书"
    FINAL_REFUSAL_NOTICE = "final_refusal_notice", "不再受理告知书"
    TRANSFER_NOTICE = "transfer_notice", "转送告知书"
    ASSIGNMENT_NOTICE = "assignment_notice", "交办告知书"
    EXTENSION_NOTICE = "extension_notice", "延期告知书"
    HANDLING_OPINION = "handling_opinion", "信访处理意见书"
    REVIEW_OPINION = "review_opinion", "复查意见书"
    REREVIEW_OPINION = "rereview_opinion", "复核意见书"
    ASSIGNMENT_SHEET = "assignment_sheet", "交办单"
    CONCLUSION_REPORT = "conclusion_report", "办结报告"
    DIVERSION_NOTICE = "diversion_notice", "导入法定途径告知书"
    RECEIPT = "receipt", "登记回执"
    MEDIATION_AGREEMENT = "mediation_agreement", "调解协议书"
    SETTLEMENT_AGREEMENT = "settlement_agreement", "和解协议书"


class Audience(models.TextChoices):
    PETITIONER = "petitioner", "信访人"
    UNIT = "unit", "机关单位"


REGULATION = "《信访工作条例》"


@dataclass(frozen=True)
class KindSpec:
    """What a kind of document is: its title, legal basis and numbering."""

    kind: DocumentKind
    title: str
    articles: tuple[str, ...]
    # Placeholders: {unit_short} (the issuing unit's short name), {year}, {seq}.
    number_pattern: str
    audience: Audience
    # Whether the petitioner sees it on the portal by default.
    public: bool
    # Context keys this kind's default text prints; the caller must supply them.
    required: tuple[str, ...]
    # Whether its delivery (送达) to the petitioner is recorded and supervised;
    # the registration receipt is handed over or shown at once.
    served: bool = True

    def format_number(self, *, unit_short: str, year: int, seq: int) -> str:
        return self.number_pattern.format(unit_short=unit_short, year=year, seq=seq)

    @property
    def needs_delivery(self) -> bool:
        return self.served and self.audience == Audience.PETITIONER

    @property
    def basis(self) -> str:
        """The legal basis as one phrase: 《信访工作条例》第二十三条、第三十四条."""
        return REGULATION + "、".join(self.articles)


_BASE = ("petitioner_name", "case_number", "received_date")

SPECS: dict[DocumentKind, KindSpec] = {
    spec.kind: spec
    for spec in [
        KindSpec(
            DocumentKind.ACCEPTANCE_NOTICE,
            "受理告知书",
            ("第二十三条",),
            "{unit_short}信受告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "handling_unit", "accepted_date"),
        ),
        KindSpec(
            DocumentKind.REJECTION_NOTICE,
            "不予受理告知书",
            ("第十九条", "第二十条", "第二十三条"),
            "{unit_short}信不受告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "reason", "legal_basis"),
        ),
        KindSpec(
            DocumentKind.FINAL_REFUSAL_NOTICE,
            "不再受理告知书",
            ("第三十六条第三款",),
            "{unit_short}信不再受告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "rereview_body", "rereview_number", "rereview_date"),
        ),
        KindSpec(
            DocumentKind.TRANSFER_NOTICE,
            "转送告知书",
            ("第二十二条", "第二十三条"),
            "{unit_short}信转告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "target_unit", "transferred_date"),
        ),
        KindSpec(
            DocumentKind.ASSIGNMENT_NOTICE,
            "交办告知书",
            ("第二十二条", "第二十三条"),
            "{unit_short}信交告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "target_unit", "transferred_date"),
        ),
        KindSpec(
            DocumentKind.EXTENSION_NOTICE,
            "延期告知书",
            ("第三十四条",),
            "{unit_short}信延告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "accepted_date", "reason", "extension_days", "due_date"),
        ),
        KindSpec(
            DocumentKind.HANDLING_OPINION,
            "信访处理意见书",
            ("第三十一条第六项", "第三十二条", "第三十五条"),
            "{unit_short}信处意〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (
                *_BASE,
                "request_summary",
                "facts",
                "findings",
                "outcome",
                "opinion",
                "legal_basis",
                "review_body",
            ),
        ),
        KindSpec(
            DocumentKind.REVIEW_OPINION,
            "复查意见书",
            ("第三十五条", "第三十六条"),
            "{unit_short}信复查〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (
                *_BASE,
                "request_summary",
                "original_body",
                "original_number",
                "findings",
                "outcome",
                "opinion",
                "legal_basis",
                "rereview_body",
            ),
        ),
        KindSpec(
            DocumentKind.REREVIEW_OPINION,
            "复核意见书",
            ("第三十六条",),
            "{unit_short}信复核〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (
                *_BASE,
                "request_summary",
                "review_body",
                "review_number",
                "findings",
                "outcome",
                "opinion",
                "legal_basis",
            ),
        ),
        KindSpec(
            DocumentKind.ASSIGNMENT_SHEET,
            "交办单",
            ("第二十二条第一款第三项",),
            "{unit_short}信交〔{year}〕{seq}号",
            Audience.UNIT,
            False,
            (*_BASE, "request_summary", "target_unit", "due_date"),
        ),
        KindSpec(
            DocumentKind.CONCLUSION_REPORT,
            "办结报告",
            ("第二十二条第一款第三项",),
            "{unit_short}信办报〔{year}〕{seq}号",
            Audience.UNIT,
            False,
            (
                *_BASE,
                "request_summary",
                "addressee_unit",
                "assignment_number",
                "findings",
                "outcome",
                "opinion",
            ),
        ),
        KindSpec(
            DocumentKind.DIVERSION_NOTICE,
            "导入法定途径告知书",
            ("第二十二条第二款", "第二十八条第二款", "第三十一条第一项至第四项"),
            "{unit_short}信导告〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "statutory_route", "competent_body", "reason"),
        ),
        KindSpec(
            DocumentKind.RECEIPT,
            "登记回执",
            ("第二十一条", "第二十二条", "第二十三条"),
            "{unit_short}信回〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "channel", "request_summary", "registrar_unit"),
            served=False,
        ),
        KindSpec(
            DocumentKind.MEDIATION_AGREEMENT,
            "调解协议书",
            ("第三十三条",),
            "{unit_short}信调协〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "handling_unit", "other_party", "terms", "consent_date"),
        ),
        KindSpec(
            DocumentKind.SETTLEMENT_AGREEMENT,
            "和解协议书",
            ("第三十三条",),
            "{unit_short}信和协〔{year}〕{seq}号",
            Audience.PETITIONER,
            True,
            (*_BASE, "request_summary", "handling_unit", "other_party", "terms", "consent_date"),
        ),
    ]
}

# Context keys every document may print; render.py supplies empty values for the
# ones a caller leaves out so that a template may test them with {% if %}.
COMMON_KEYS = (
    "issuing_unit",
    "issued_date",
    "number",
    "title",
    "bureau_name",
    "bureau_phone",
    "bureau_address",
    "handling_unit_phone",
    "petitioner_address",
)

# Descriptions of the variables a template may use, shown in the admin.
VARIABLES: dict[str, str] = {
    "petitioner_name": "信访人姓名（名称）",
    "petitioner_address": "信访人住址",
    "case_number": "信访件编号",
    "received_date": "收到信访事项的日期",
    "channel": "提出方式（来信、来访、网上等）",
    "request_summary": "信访请求（概括）",
    "facts": "信访人陈述的事实和理由",
    "findings": "调查核实的情况",
    "outcome": "处理结果：支持 / 解释说明 / 不予支持",
    "opinion": "处理意见",
    "legal_basis": "处理依据（法律、法规、规章或其他规定）",
    "reason": "理由（不予受理、延期、导入法定途径的理由）",
    "handling_unit": "承办单位",
    "handling_unit_phone": "承办单位联系电话",
    "target_unit": "转送、交办的去向单位",
    "target_unit_phone": "去向单位联系电话",
    "transferred_date": "转送、交办日期",
    "accepted_date": "受理日期",
    "due_date": "办理期限（截止日期）",
    "procedure": "处理途径和程序",
    "extension_days": "延长天数",
    "competent_body": "有权处理的机关、单位",
    "statutory_route": "法定途径（诉讼、仲裁、行政复议等）",
    "review_body": "复查机关（原办理机关的上一级）",
    "rereview_body": "复核机关（复查机关的上一级）",
    "original_body": "原办理机关",
    "original_number": "原处理意见书文号",
    "review_number": "复查意见书文号",
    "rereview_number": "复核意见书文号",
    "rereview_date": "复核意见日期",
    "assignment_number": "交办单文号",
    "addressee_unit": "报送单位（交办的信访部门）",
    "requirements": "交办要求",
    "registrar_unit": "登记单位",
    "other_party": "争议另一方当事人",
    "terms": "调解、和解达成的协议内容",
    "consent_date": "双方当事人同意调解（和解）的日期",
    "feedback": "信访人对办理结果的意见",
    "hearing_held": "是否举行了听证（仅用于 {% if %}）",
    "outcome_phrase": "由处理结果生成：予以支持 / 作出解释说明 / 不予支持",
    "issuing_unit": "发文机关",
    "issued_date": "成文日期",
    "number": "文号",
    "title": "标题",
    "bureau_name": "信访部门名称",
    "bureau_phone": "信访部门电话",
    "bureau_address": "信访部门地址",
}


def spec_for(kind: str) -> KindSpec:
    return SPECS[DocumentKind(kind)]
