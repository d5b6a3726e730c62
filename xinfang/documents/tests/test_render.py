import io
import re

import docx
import pytest

from xinfang.documents.kinds import SPECS, DocumentKind
from xinfang.documents.markup import TemplateBodyError, check_body
from xinfang.documents.render import MissingContextError, render_document, to_docx, to_pdf
from xinfang.documents.samples import sample_context

from .pdfcheck import all_text, page_sizes_mm

NUMBER = "海信测〔2026〕7号"


def sample(kind, **extra):
    return render_document(kind, {**sample_context(kind), "number": NUMBER, **extra})


def test_every_kind_has_a_spec_and_a_numbering_pattern():
    assert set(SPECS) == set(DocumentKind)
    for spec in SPECS.values():
        assert spec.basis.startswith("《信访工作条例》第")
        number = spec.format_number(unit_short="海", year=2026, seq=12)
        assert re.fullmatch(r"海信\w+〔2026〕12号", number), number


def test_numbering_patterns_differ_between_kinds():
    numbers = {spec.format_number(unit_short="海", year=2026, seq=1) for spec in SPECS.values()}
    assert len(numbers) == len(SPECS)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_to_pdf_and_docx(kind):
    rendered = sample(kind)
    assert rendered.title == SPECS[kind].title
    assert rendered.paragraphs, "empty body"
    assert "MISSING" not in rendered.body_text

    pdf = to_pdf(rendered)
    for width, height in page_sizes_mm(pdf):
        assert width == pytest.approx(210, abs=0.5) and height == pytest.approx(297, abs=0.5)
    text = all_text(pdf)
    assert SPECS[kind].title in text.replace("\r\n", "")
    assert NUMBER in text
    assert "— 1 —" in text

    document = docx.Document(io.BytesIO(to_docx(rendered)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == SPECS[kind].title
    assert NUMBER in texts
    assert rendered.paragraphs[-1].text in texts
    section = document.sections[0]
    measures = [
        section.page_width,
        section.page_height,
        section.top_margin,
        section.left_margin,
        section.right_margin,
        section.bottom_margin,
    ]
    assert [round(m.mm, 1) for m in measures] == [210, 297, 37, 28, 26, 35]


def test_docx_sets_east_asian_fonts_on_runs():
    document = docx.Document(io.BytesIO(to_docx(sample(DocumentKind.ACCEPTANCE_NOTICE))))
    qn_east_asia = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    title_fonts = document.paragraphs[0].runs[0]._r.rPr.rFonts
    assert title_fonts.get(qn_east_asia) == "方正小标宋简体"
    body = next(p for p in document.paragraphs if p.text.startswith("您于"))
    assert body.runs[0]._r.rPr.rFonts.get(qn_east_asia) == "仿宋"
    assert body.runs[0].font.size.pt == 16


def test_body_lines_hold_28_characters():
    text = "信访工作条例规定各级机关应当畅通信访渠道" * 6
    rendered = render_document(DocumentKind.RECEIPT, sample_context(DocumentKind.RECEIPT), template_body=text)
    lines = [ln for ln in all_text(to_pdf(rendered)).splitlines() if ln and set(ln) <= set(text)]
    assert len(lines[0]) == 26  # two characters of first-line indent
    assert [len(ln) for ln in lines[1:-1]] == [28] * (len(lines) - 2)


def test_outcome_phrase_follows_outcome():
    rendered = sample(DocumentKind.HANDLING_OPINION, outcome="不予支持")
    assert "对您的信访请求不予支持" in rendered.body_text
    assert "对您的信访请求予以支持" in sample(DocumentKind.HANDLING_OPINION).body_text


def test_missing_required_value_is_an_error():
    context = sample_context(DocumentKind.EXTENSION_NOTICE)
    del context["reason"]
    with pytest.raises(MissingContextError, match="理由"):
        render_document(DocumentKind.EXTENSION_NOTICE, context)


def test_markup_marks_headings_and_addressee():
    rendered = sample(DocumentKind.HANDLING_OPINION)
    styles = [(p.style, p.text) for p in rendered.paragraphs]
    assert styles[0] == ("addressee", "张三：")
    assert ("heading", "一、信访请求") in styles


def test_petitioner_text_cannot_inject_markup():
    rendered = sample(DocumentKind.ACCEPTANCE_NOTICE, procedure="第一行\n# 伪造标题\n@ 伪造称谓")
    assert all(p.style == "body" for p in rendered.paragraphs[1:])
    assert "＃ 伪造标题" in rendered.body_text


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}",
        "{% include 'x.html' %}",
        "{% debug %}",
        "{{ petitioner_name|safe }}",
        "{{ petitioner_name.__class__ }}",
        "{% if x %}unclosed",
        "{% for x in y|first %}{% endfor %}",
    ],
)
def test_unsafe_or_broken_markup_is_rejected(body):
    assert check_body(body)
    with pytest.raises(TemplateBodyError):
        render_document(DocumentKind.RECEIPT, sample_context(DocumentKind.RECEIPT), template_body=body)


def test_unknown_variable_is_an_error_not_blank():
    with pytest.raises(TemplateBodyError, match="petitoner_name"):
        render_document(
            DocumentKind.RECEIPT, sample_context(DocumentKind.RECEIPT), template_body="{{ petitoner_name }}："
        )


def test_allowed_markup_renders():
    body = '@ {{ petitioner_name }}：\n{% for d in items %}{{ d.label }}{% endfor %}\n{% if missing %}x{% else %}{{ reason|default:"无" }}{% endif %}'
    context = {
        **sample_context(DocumentKind.RECEIPT),
        "items": [{"label": "甲"}, {"label": "乙"}],
        "reason": "",
    }
    rendered = render_document(DocumentKind.RECEIPT, context, template_body=body)
    assert [p.text for p in rendered.paragraphs] == ["张三：", "甲乙", "无"]


def test_pdf_rendering_is_deterministic():
    rendered = sample(DocumentKind.RECEIPT)
    assert to_pdf(rendered) == to_pdf(rendered)
