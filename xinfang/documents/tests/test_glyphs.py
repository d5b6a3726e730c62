"""Chinese really renders: not blank, a text layer, CJK fonts embedded, and glyphs that differ."""

import pytest

from xinfang.documents.kinds import DocumentKind
from xinfang.documents.render import render_document, to_pdf
from xinfang.documents.samples import sample_context

from .pdfcheck import (
    CJK_FONT_MARKERS,
    char_fonts,
    dark_fraction,
    differing_fraction,
    is_cjk,
    page_text,
    render_page,
    save_screenshot,
)

SCALE = 2.0  # pixels per point
MM = 72 / 25.4


@pytest.fixture(scope="module")
def opinion_pdf():
    context = {**sample_context(DocumentKind.HANDLING_OPINION), "number": "海信处意〔2026〕1号"}
    return to_pdf(render_document(DocumentKind.HANDLING_OPINION, context))


def test_notice_page_is_not_blank(opinion_pdf):
    image = render_page(opinion_pdf, scale=SCALE)
    save_screenshot(image, "handling_opinion-page1")
    assert dark_fraction(image) > 0.01


def test_notice_text_layer_has_the_chinese_title_and_body(opinion_pdf):
    text = page_text(opinion_pdf)
    assert text.splitlines()[0].strip() == "信访处理意见书"
    assert "调查核实情况" in text


def test_every_chinese_character_uses_an_embedded_cjk_font(opinion_pdf):
    fonts = char_fonts(opinion_pdf)
    cjk = [(char, font) for char, font in fonts if is_cjk(char)]
    assert len(cjk) > 200
    bad = {font for _, font in cjk if not any(marker in font for marker in CJK_FONT_MARKERS)}
    assert not bad, f"non-CJK fonts drew hanzi: {bad}"
    title_fonts = {font for char, font in fonts[:7]}
    assert all("Serif-CJK-SC" in font for font in title_fonts), title_fonts


def _title_band(title: str):
    context = {**sample_context(DocumentKind.RECEIPT), "title": title}
    image = render_page(to_pdf(render_document(DocumentKind.RECEIPT, context)), scale=SCALE)
    top = int(37 * MM * SCALE)
    return image.crop((0, top, image.width, top + int(36 * SCALE))), image


def test_different_chinese_strings_render_differently():
    # Missing-glyph boxes ("tofu") look the same whatever the character; real glyphs do not.
    band_a, page_a = _title_band("永和九年岁在")
    band_b, _ = _title_band("癸丑暮春之初")
    save_screenshot(page_a, "glyph-check")
    assert dark_fraction(band_a) > 0.01 and dark_fraction(band_b) > 0.01
    assert differing_fraction(band_a, band_b) > 0.02
