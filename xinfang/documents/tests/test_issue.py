import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError

from xinfang.documents.actions import (
    document_issue,
    ensure_default_templates,
    next_document_number,
    render_with_template,
)
from xinfang.documents.kinds import DocumentKind
from xinfang.documents.models import DocumentSequence, DocumentTemplate, IssuedDocument
from xinfang.documents.samples import sample_context
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def test_migration_ships_one_template_per_kind():
    assert set(DocumentTemplate.objects.values_list("kind", flat=True)) == set(DocumentKind.values)
    DocumentTemplate.objects.filter(kind=DocumentKind.RECEIPT).delete()
    assert ensure_default_templates() == 1
    assert ensure_default_templates() == 0


def test_edited_template_changes_the_output():
    kind = DocumentKind.ACCEPTANCE_NOTICE
    before = render_with_template(kind, sample_context(kind))
    assert "特此告知。" in before.body_text
    row = DocumentTemplate.objects.get(kind=kind)
    row.title = "信访事项受理告知书"
    row.body = row.body.replace("特此告知。", "特此告知，请予配合。")
    row.full_clean()
    row.save()
    after = render_with_template(kind, sample_context(kind))
    assert after.title == "信访事项受理告知书"
    assert "特此告知，请予配合。" in after.body_text and "特此告知。" not in after.body_text
    row.is_active = False
    row.save()
    assert render_with_template(kind, sample_context(kind)).body_text == before.body_text


@pytest.mark.parametrize(
    "body, message",
    [
        ("{% load static %}", "不允许使用标签"),
        ("{{ petitoner_name }}", "未提供的变量"),
        ("{% if x %}", "语法错误"),
    ],
)
def test_invalid_template_body_is_rejected_by_clean(body, message):
    row = DocumentTemplate.objects.get(kind=DocumentKind.RECEIPT)
    row.body = body
    with pytest.raises(ValidationError, match=message):
        row.full_clean()


def test_document_numbers_run_per_kind_unit_and_year(world):
    bureau, housing = world.bureau, world.housing
    take = next_document_number
    assert take(kind=DocumentKind.ACCEPTANCE_NOTICE, unit=bureau, year=2026) == "海州区信信受告〔2026〕1号"
    assert take(kind=DocumentKind.ACCEPTANCE_NOTICE, unit=bureau, year=2026) == "海州区信信受告〔2026〕2号"
    assert take(kind=DocumentKind.EXTENSION_NOTICE, unit=bureau, year=2026).endswith("〔2026〕1号")
    assert take(kind=DocumentKind.ACCEPTANCE_NOTICE, unit=housing, year=2026) == "区住房和信受告〔2026〕1号"
    assert take(kind=DocumentKind.ACCEPTANCE_NOTICE, unit=bureau, year=2027).endswith("〔2027〕1号")
    assert take(kind=DocumentKind.ACCEPTANCE_NOTICE, unit=bureau, year=2026).endswith("〔2026〕3号")
    assert (
        DocumentSequence.objects.get(
            kind=DocumentKind.ACCEPTANCE_NOTICE, unit_code=bureau.code, year=2026
        ).last
        == 3
    )


def test_issue_registers_the_document_with_a_unique_number(world):
    petition = make_petition(world)
    context = {"accepted_date": dt.date(2026, 3, 10), "handling_unit": world.housing.name}
    first = document_issue(
        actor=world.housing_handler,
        petition=petition,
        kind=DocumentKind.ACCEPTANCE_NOTICE,
        issuing_unit=world.housing,
        context=context,
    )
    second = document_issue(
        actor=world.housing_handler,
        petition=petition,
        kind=DocumentKind.ACCEPTANCE_NOTICE,
        issuing_unit=world.housing,
        context=context,
    )
    assert first.number != second.number
    assert first.number.endswith("〕1号") and second.number.endswith("〕2号")
    assert first.is_public and first.title == "受理告知书"
    assert petition.case_number in first.body_text and "张三" in first.body_text
    assert first.context["number"] == first.number and first.context["issuing_unit"] == world.housing.name
    # Rendering is reproducible from the stored text: the hash of the first PDF still matches.
    assert hashlib.sha256(first.pdf()).hexdigest() == first.pdf_sha256
    assert first.docx().startswith(b"PK")
    assert list(petition.documents.public()) == [first, second]


def test_issue_with_incomplete_context_takes_no_number(world):
    petition = make_petition(world)
    with pytest.raises(ValueError):
        document_issue(
            actor=world.registrar,
            petition=petition,
            kind=DocumentKind.EXTENSION_NOTICE,
            issuing_unit=world.bureau,
            context={},
        )
    assert not DocumentSequence.objects.exists()
    assert not IssuedDocument.objects.exists()


def test_issued_document_keeps_its_text_after_the_template_changes(world):
    petition = make_petition(world)
    doc = document_issue(
        actor=world.registrar, petition=petition, kind=DocumentKind.RECEIPT, issuing_unit=world.bureau
    )
    DocumentTemplate.objects.filter(kind=DocumentKind.RECEIPT).update(
        body="@ {{ petitioner_name }}：\n新文本"
    )
    doc.refresh_from_db()
    assert "请妥善保管本回执。" in doc.body_text
    assert hashlib.sha256(doc.pdf()).hexdigest() == doc.pdf_sha256


def test_unit_documents_are_not_public_by_default(world):
    petition = make_petition(world)
    sheet = document_issue(
        actor=world.registrar,
        petition=petition,
        kind=DocumentKind.ASSIGNMENT_SHEET,
        issuing_unit=world.bureau,
        context={"target_unit": world.town_a.name, "due_date": dt.date(2026, 5, 1)},
    )
    assert not sheet.is_public
    assert "新海街道：" in sheet.body_text
