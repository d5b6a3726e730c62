import datetime as dt
import re
from urllib.parse import unquote

import pytest
import segno

from xinfang.documents.rightscard import lookup_url, qr_svg, rights_card_html, rights_card_pdf

from .pdfcheck import (
    CJK_FONT_MARKERS,
    all_text,
    char_fonts,
    dark_fraction,
    is_cjk,
    page_sizes_mm,
    render_page,
    save_screenshot,
)

CONTEXT = {
    "case_number": "海信〔2026〕00123号",
    "query_code": "K7QX93PM",
    "petitioner_name": "张三",
    "received_date": dt.date(2026, 3, 3),
    "deadlines": [
        ("告知受理情况", dt.date(2026, 3, 18), False),
        ("办结", dt.date(2026, 12, 31), True),
    ],
    "handling_unit": "海州区住房和城乡建设局",
    "handling_unit_phone": "0518-85800000",
    "bureau_name": "连云港市海州区信访局",
    "bureau_phone": "0518-85822222",
    "bureau_address": "海州区朝阳东路1号",
    "portal_base_url": "https://xf.example.gov.cn/",
}


@pytest.fixture(scope="module")
def card_pdf():
    return rights_card_pdf(CONTEXT, layout="card")


@pytest.fixture(scope="module")
def a4_pdf():
    return rights_card_pdf(CONTEXT, layout="a4")


def test_card_is_two_pages_of_id1_size(card_pdf):
    sizes = page_sizes_mm(card_pdf)
    assert len(sizes) == 2
    for width, height in sizes:
        assert width == pytest.approx(85.6, abs=0.2) and height == pytest.approx(54, abs=0.2)


def test_a4_layout_is_one_a4_page(a4_pdf):
    sizes = page_sizes_mm(a4_pdf)
    assert len(sizes) == 1
    assert sizes[0][0] == pytest.approx(210, abs=0.5) and sizes[0][1] == pytest.approx(297, abs=0.5)


@pytest.mark.parametrize("layout", ["card", "a4"])
def test_card_carries_case_number_query_code_deadlines_and_rights(layout, card_pdf, a4_pdf):
    text = all_text(card_pdf if layout == "card" else a4_pdf).replace("\r\n", "")
    for expected in (
        "信访人权益保障卡",
        "海信〔2026〕00123号",
        "K7QX93PM",
        "2026年3月18日",
        "2026年12月31日（暂定）",
        "0518-85800000",
        "0518-85822222",
        "15日内书面告知",
        "60日内办结",
        "30日内请求上一级机关复查",
        "不超过5人",
    ):
        assert expected in text, expected
    assert "2026年3月18日（暂定）" not in text


def test_qr_points_to_the_lookup_page_without_the_query_code():
    url = lookup_url(CONTEXT["case_number"], CONTEXT["portal_base_url"])
    assert url.startswith("https://xf.example.gov.cn/portal/lookup/?case=")
    assert unquote(url.split("case=")[1]) == CONTEXT["case_number"]
    assert CONTEXT["query_code"] not in url
    html = rights_card_html(CONTEXT, layout="card")
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert svg == qr_svg(url)
    assert svg != qr_svg(url + "&code=" + CONTEXT["query_code"])
    assert segno.make(url, error="m").designator  # encodable


@pytest.mark.parametrize("layout", ["card", "a4"])
def test_card_renders_real_chinese_glyphs(layout, card_pdf, a4_pdf):
    pdf = card_pdf if layout == "card" else a4_pdf
    image = render_page(pdf, scale=6 if layout == "card" else 2)
    save_screenshot(image, f"rights-card-{layout}-front")
    assert dark_fraction(image) > 0.03
    cjk_fonts = {font for char, font in char_fonts(pdf) if is_cjk(char)}
    assert cjk_fonts and all(any(m in f for m in CJK_FONT_MARKERS) for f in cjk_fonts), cjk_fonts
    if layout == "card":
        save_screenshot(render_page(pdf, 1, scale=6), "rights-card-card-back")


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        rights_card_pdf(CONTEXT, layout="poster")
