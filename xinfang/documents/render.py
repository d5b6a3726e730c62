"""Render official documents (公文) to text, PDF and DOCX, independent of the models.

`render_document(kind, context)` fills a template body (the shipped default, or an
administrator's edited text passed as `template_body`) with plain values and returns a
RenderedDocument; `to_pdf` and `to_docx` typeset it after GB/T 9704-2012: A4, margins
37 mm top / 28 mm left / 26 mm right / 35 mm bottom, a 22 pt bold serif title,
16 pt body text with 28 characters and 22 lines a page, page numbers "— 1 —".
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from xinfang.lib.text import clean_text, xml_safe

from .kinds import COMMON_KEYS, VARIABLES, spec_for
from .markup import ADDRESSEE, HEADING, Paragraph, paragraphs_text, parse_paragraphs, render_body

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"

# Installed fonts only (scripts/system-deps.sh installs them); no web fonts.  An office
# with licensed 方正小标宋 / 仿宋_GB2312 / 黑体 fonts may put their names first.
FONT_TITLE = "'Noto Serif CJK SC', 'AR PL UMing CN', 'Noto Sans CJK SC', serif"
FONT_BODY = "'Noto Serif CJK SC', 'AR PL UMing CN', 'Noto Sans CJK SC', serif"
FONT_HEADING = "'Noto Sans CJK SC', 'Noto Serif CJK SC', 'AR PL UMing CN', sans-serif"
# DOCX files are opened in Word on office PCs: name the fonts they have.
DOCX_FONT_TITLE = "方正小标宋简体"
DOCX_FONT_BODY = "仿宋"
DOCX_FONT_HEADING = "黑体"
DOCX_FONT_PAGE_NUMBER = "宋体"
DOCX_FONT_LATIN = "Times New Roman"

# WeasyPrint logs every layout step at INFO; the project root logger is at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

OUTCOME_PHRASES = {"支持": "予以支持", "解释说明": "作出解释说明", "不予支持": "不予支持"}


class MissingContextError(ValueError):
    """The context lacks values that this kind of document must print."""


@dataclass(frozen=True)
class RenderedDocument:
    kind: str
    title: str
    number: str
    paragraphs: tuple[Paragraph, ...]
    articles: tuple[str, ...]
    basis: str
    issuing_unit: str
    issued_date: str
    case_number: str = ""
    context: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def body_text(self) -> str:
        """The body as markup text; `rendered_from_text` turns it back into a document."""
        return paragraphs_text(self.paragraphs)


def cn_date(value: dt.date | dt.datetime) -> str:
    """A date as 公文 writes it: 2026年3月8日 (Arabic numerals, no padding)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def _defuse(line: str) -> str:
    stripped = line.lstrip()
    # Full-width look-alikes keep the text but not the markup meaning.
    return {"#": "＃", "@": "＠"}[stripped[0]] + stripped[1:] if stripped[:2] in ("# ", "@ ") else line


def _plain(value):
    """Context values as plain, JSON-safe data with dates written in Chinese."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return cn_date(value)
    if isinstance(value, str):
        # A petitioner's text must not turn into a heading or an addressee line,
        # nor carry a control character (lxml refuses them: DOCX downloads failed).
        return "\n".join(_defuse(ln) for ln in clean_text(value, multiline=True).splitlines())
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


@functools.cache
def default_body(kind: str) -> str:
    """The shipped template body of a kind (defaults/<kind>.txt)."""
    spec = spec_for(kind)
    return (DEFAULTS_DIR / f"{spec.kind.value}.txt").read_text(encoding="utf-8")


def document_context(kind: str, context: dict) -> dict:
    """The full context a template sees: the caller's values, made plain, plus derived ones.

    Raises MissingContextError when a value the kind requires is absent or empty.
    """
    spec = spec_for(kind)
    missing = [key for key in spec.required if context.get(key) in (None, "")]
    if missing:
        raise MissingContextError(f"{spec.title}缺少：" + "、".join(VARIABLES.get(k, k) for k in missing))
    values = {key: "" for key in (*VARIABLES, *COMMON_KEYS)}
    values.update({str(k): _plain(v) for k, v in context.items()})
    values["title"] = values["title"] or spec.title
    values["issued_date"] = values["issued_date"] or cn_date(timezone.localdate())
    values["outcome_phrase"] = values["outcome_phrase"] or OUTCOME_PHRASES.get(values["outcome"], "")
    return values


def render_document(kind: str, context: dict, *, template_body: str | None = None) -> RenderedDocument:
    """Fill the template of `kind` with `context` (plain values: str, int, date, lists, dicts).

    `context["number"]` is the 文号 when one has been assigned; `issuing_unit` and
    `issued_date` are printed in the signature block.  Raises MissingContextError or
    markup.TemplateBodyError.
    """
    spec = spec_for(kind)
    values = document_context(kind, context)
    text = render_body(template_body if template_body is not None else default_body(kind), values)
    return RenderedDocument(
        kind=spec.kind.value,
        title=values["title"],
        number=str(values["number"]),
        paragraphs=parse_paragraphs(text),
        articles=spec.articles,
        basis=spec.basis,
        issuing_unit=str(values["issuing_unit"]),
        issued_date=str(values["issued_date"]),
        case_number=str(values["case_number"]),
        context=values,
    )


def rendered_from_text(
    *,
    kind: str,
    title: str,
    number: str,
    body_text: str,
    issuing_unit: str,
    issued_date: str,
    case_number: str = "",
) -> RenderedDocument:
    """Rebuild a RenderedDocument from stored body text, for reproducible re-rendering."""
    spec = spec_for(kind)
    return RenderedDocument(
        kind=spec.kind.value,
        title=title,
        number=number,
        paragraphs=parse_paragraphs(body_text),
        articles=spec.articles,
        basis=spec.basis,
        issuing_unit=issuing_unit,
        issued_date=issued_date,
        case_number=case_number,
    )


def _no_fetch(url: str, *args, **kwargs):
    # Documents are self-contained: nothing may be fetched, least of all from the internet.
    raise ValueError(f"外部资源已禁止：{url}")


def html_to_pdf(html: str) -> bytes:
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def to_html(rendered: RenderedDocument) -> str:
    return render_to_string(
        "documents/notice.html",
        {"doc": rendered, "font_title": FONT_TITLE, "font_body": FONT_BODY, "font_heading": FONT_HEADING},
    )


def to_pdf(rendered: RenderedDocument) -> bytes:
    """The document as an A4 PDF with embedded CJK fonts."""
    return html_to_pdf(to_html(rendered))


# --- DOCX -----------------------------------------------------------------------------


def _set_fonts(run_or_style, east_asia: str, size: float, *, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = DOCX_FONT_LATIN
    font.size = Pt(size)
    font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    # Word picks the East-Asian font from w:eastAsia; without it Chinese falls back to the theme font.
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


def _text_width(text: str) -> float:
    """Width in full-width characters (ASCII counts a half)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def _paragraph(doc, text: str, *, east_asia: str, size: float = 16, align=None, bold=False):
    para = doc.add_paragraph()
    if align is not None:
        para.alignment = align
    run = para.add_run(xml_safe(text))  # stored before input cleaning: may hold controls
    _set_fonts(run, east_asia, size, bold=bold)
    return para


def _page_number_footer(footer, *, right: bool) -> None:
    para = footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    indent = Pt(14)  # 单页码居右空一字，双页码居左空一字
    if right:
        para.paragraph_format.right_indent = indent
    else:
        para.paragraph_format.left_indent = indent
    parts = [("text", "— "), ("field", "PAGE"), ("text", " —")]
    for what, value in parts:
        run = para.add_run()
        _set_fonts(run, DOCX_FONT_PAGE_NUMBER, 14)
        if what == "text":
            run.text = value
            continue
        for tag, attr in (("w:fldChar", "begin"), ("w:instrText", value), ("w:fldChar", "end")):
            el = OxmlElement(tag)
            if tag == "w:fldChar":
                el.set(qn("w:fldCharType"), attr)
            else:
                el.set(qn("xml:space"), "preserve")
                el.text = f" {attr} "
            run._r.append(el)


def to_docx(rendered: RenderedDocument) -> bytes:
    """The document as DOCX: A4, 公文 margins, East-Asian fonts set on every run."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(23)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # 22 lines of 28.95 pt; 28 characters of 16 pt minus 0.21 pt across 156 mm.
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), "579")
    grid.set(qn("w:charSpace"), "-880")

    normal = doc.styles["Normal"]
    _set_fonts(normal, DOCX_FONT_BODY, 16)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28.95)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = _paragraph(
        doc, rendered.title, east_asia=DOCX_FONT_TITLE, size=22, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    title.paragraph_format.line_spacing = Pt(36)
    if rendered.number:
        _paragraph(doc, rendered.number, east_asia=DOCX_FONT_BODY, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", east_asia=DOCX_FONT_BODY)
    for p in rendered.paragraphs:
        if p.style == ADDRESSEE:
            _paragraph(doc, p.text, east_asia=DOCX_FONT_BODY)
            continue
        east_asia = DOCX_FONT_HEADING if p.style == HEADING else DOCX_FONT_BODY
        para = _paragraph(doc, p.text, east_asia=east_asia)
        para.paragraph_format.first_line_indent = Pt(32)
        ind = para.paragraph_format.element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), "200")

    # Signature: the date 4 characters from the right, the unit centred over it.
    _paragraph(doc, "", east_asia=DOCX_FONT_BODY)
    _paragraph(doc, "", east_asia=DOCX_FONT_BODY)
    date_right = 4.0
    unit_right = max(
        0.0, date_right + (_text_width(rendered.issued_date) - _text_width(rendered.issuing_unit)) / 2
    )
    for text, right in ((rendered.issuing_unit, unit_right), (rendered.issued_date, date_right)):
        para = _paragraph(doc, text, east_asia=DOCX_FONT_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT)
        para.paragraph_format.right_indent = Pt(16 * right)

    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, right=True)
    _page_number_footer(section.even_page_footer, right=False)
    doc.core_properties.title = xml_safe(rendered.title)
    doc.core_properties.subject = xml_safe(rendered.number)
    doc.core_properties.language = "zh-CN"

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
