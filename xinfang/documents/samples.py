"""A sample context for every kind of document: admin previews, template checks and tests."""

from __future__ import annotations

import datetime as dt

from .kinds import DocumentKind

_COMMON = {
    "petitioner_name": "张三",
    "petitioner_address": "连云港市海州区新浦街道幸福路18号",
    "case_number": "海信〔2026〕00123号",
    "received_date": dt.date(2026, 3, 3),
    "channel": "来信",
    "request_summary": "要求解决幸福小区物业公司擅自提高物业服务收费标准的问题",
    "facts": "小区物业公司自2026年1月起将物业费由每平方米1.2元提高到1.8元，未经业主大会同意，也未公示调价依据。",
    "findings": "经调查，物业公司调整收费标准未履行业主大会表决程序，调价行为不符合有关规定。",
    "outcome": "支持",
    "opinion": "责成物业公司于2026年4月30日前恢复原收费标准，并退还多收取的费用。",
    "legal_basis": "《物业管理条例》第七条、第四十条",
    "reason": "您反映的问题涉及物业服务合同纠纷",
    "handling_unit": "海州区住房和城乡建设局",
    "handling_unit_phone": "0518-85800000",
    "target_unit": "新浦街道办事处",
    "target_unit_phone": "0518-85811111",
    "transferred_date": dt.date(2026, 3, 5),
    "accepted_date": dt.date(2026, 3, 10),
    "due_date": dt.date(2026, 5, 11),
    "extension_days": 30,
    "competent_body": "海州区人民法院",
    "statutory_route": "民事诉讼",
    "review_body": "连云港市住房和城乡建设局",
    "rereview_body": "连云港市人民政府",
    "original_body": "海州区住房和城乡建设局",
    "original_number": "海住信处意〔2026〕8号",
    "review_number": "连住信复查〔2026〕3号",
    "rereview_number": "连政信复核〔2026〕2号",
    "rereview_date": dt.date(2026, 9, 1),
    "assignment_number": "海信交〔2026〕15号",
    "addressee_unit": "海州区信访局",
    "registrar_unit": "海州区信访局",
    "issuing_unit": "海州区信访局",
    "issued_date": dt.date(2026, 3, 18),
    "bureau_name": "海州区信访局",
    "bureau_phone": "0518-85822222",
    "other_party": "连云港幸福物业服务有限公司",
    "terms": "物业公司自2026年4月1日起恢复每平方米1.2元的收费标准，并于2026年4月30日前退还多收取的物业费。",
    "consent_date": dt.date(2026, 3, 20),
}


def sample_context(kind: str) -> dict:
    """A complete context for `kind`, realistic enough to print."""
    context = dict(_COMMON)
    if kind == DocumentKind.EXTENSION_NOTICE:
        context["reason"] = "该事项涉及多个部门，需要进一步调查核实"
        context["due_date"] = dt.date(2026, 6, 10)
    if kind == DocumentKind.DIVERSION_NOTICE:
        context["reason"] = "您反映的问题属于物业服务合同纠纷，应当通过诉讼程序解决"
    if kind == DocumentKind.REJECTION_NOTICE:
        context["reason"] = "该事项已由海州区住房和城乡建设局受理，正在办理期限内"
        context["legal_basis"] = "《信访工作条例》第十九条第三款"
    return context
