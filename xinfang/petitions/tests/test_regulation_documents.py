"""The notices say what the regulation requires (Arts. 22, 32, 34)."""

import pytest

from xinfang.documents.kinds import DocumentKind
from xinfang.documents.render import rendered_from_text, to_pdf
from xinfang.petitions import actions as a
from xinfang.petitions.errors import ActionError
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db

PETITIONERS_ACCOUNT = "物业公司擅自把停车费从每月100元提高到200元"
HANDLERS_FINDINGS = "经调取物价部门备案材料，物业公司未办理收费标准变更备案"


def _section(text: str, heading: str) -> str:
    """The paragraphs under `heading` up to the next heading."""
    after = text.split(heading, 1)[1]
    return after.split("\n# ", 1)[0]


def test_art32_handling_opinion_prints_the_handlers_findings_not_the_petitioners_account(world):
    petition = advance(make_petition(world), world, to="handling")
    a.petition_draft_opinion(
        actor=world.handler_a,
        petition=petition,
        outcome="support",
        request="退还多收的停车费",
        facts_reasons=PETITIONERS_ACCOUNT,
        findings=HANDLERS_FINDINGS,
        opinion_text="责令物业公司退还多收的停车费。",
        legal_basis="《物业管理条例》第四十条",
    )
    a.petition_approve_opinion(actor=world.leader_a, petition=petition)
    body = petition.documents.get(kind=DocumentKind.HANDLING_OPINION).body_text
    assert PETITIONERS_ACCOUNT in _section(body, "# 二、事实和理由")
    findings = _section(body, "# 三、调查核实情况")
    assert HANDLERS_FINDINGS in findings and PETITIONERS_ACCOUNT not in findings


def test_art31_opinion_needs_the_handlers_findings(world):
    petition = advance(make_petition(world), world, to="handling")
    with pytest.raises(ActionError) as refused:
        a.petition_draft_opinion(
            actor=world.handler_a,
            petition=petition,
            outcome="support",
            request="退费",
            facts_reasons=PETITIONERS_ACCOUNT,
            opinion_text="予以支持",
            legal_basis="《物业管理条例》",
        )
    assert "findings" in refused.value.fields


def test_art22_assignment_sheet_carries_the_bureaus_instruction(world):
    petition = make_petition(world)
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="claim", claim_route=6)
    instruction = "请于10日内约谈物业公司负责人，核实收费备案情况"
    a.petition_transfer(
        actor=world.registrar,
        petition=petition,
        unit=world.town_a,
        assign=True,
        report_days=20,
        reason=instruction,
    )
    sheet = petition.documents.get(kind=DocumentKind.ASSIGNMENT_SHEET)
    assert instruction in _section(sheet.body_text, "办理要求")


def test_art34_extension_notice_reads_as_one_sentence(world):
    petition = advance(make_petition(world), world, to="handling")
    a.petition_extend(actor=world.leader_a, petition=petition, days=30, reason="需要调取物价部门备案材料。")
    notice = petition.documents.get(kind=DocumentKind.EXTENSION_NOTICE)
    assert "。，" not in notice.body_text
    assert "因需要调取物价部门备案材料，该事项不能在规定的60日内办结" in notice.body_text
    assert "办理期限延长30日，至" in notice.body_text
    pdf = to_pdf(
        rendered_from_text(
            kind=notice.kind,
            title=notice.title,
            number=notice.number,
            body_text=notice.body_text,
            issuing_unit=notice.issuing_unit.name,
            issued_date="2026年3月2日",
        )
    )
    assert pdf.startswith(b"%PDF")


def test_art23_rejection_notice_has_no_doubled_full_stop(world):
    petition = make_petition(world)
    a.petition_reject(
        actor=world.registrar, petition=petition, reason_code="not_a_petition", reason="所反映的是商业纠纷。"
    )
    notice = petition.documents.get(kind=DocumentKind.REJECTION_NOTICE)
    assert "。。" not in notice.body_text and "经审查，所反映的是商业纠纷。" in notice.body_text
