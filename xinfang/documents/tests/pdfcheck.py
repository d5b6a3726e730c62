"""Helpers that look inside rendered PDFs: pages, text, fonts and pixels."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.conf import settings
from PIL import ImageChops

MM = 72 / 25.4
# Families scripts/system-deps.sh installs; a Latin fallback font would not draw hanzi.
CJK_FONT_MARKERS = ("CJK", "UMing")
SCREENSHOT_DIR = Path(settings.PROJECT_DIR) / "screenshots" / "documents"


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(data)


def page_sizes_mm(data: bytes) -> list[tuple[float, float]]:
    doc = open_pdf(data)
    try:
        return [(w / MM, h / MM) for w, h in (doc[i].get_size() for i in range(len(doc)))]
    finally:
        doc.close()


def page_text(data: bytes, index: int = 0) -> str:
    doc = open_pdf(data)
    try:
        return doc[index].get_textpage().get_text_range()
    finally:
        doc.close()


def all_text(data: bytes) -> str:
    doc = open_pdf(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def char_fonts(data: bytes, index: int = 0) -> list[tuple[str, str]]:
    """(character, font name) for every character drawn on a page."""
    doc = open_pdf(data)
    try:
        textpage = doc[index].get_textpage()
        result = []
        for i in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
            size = pdfium_c.FPDFText_GetFontInfo(textpage, i, None, 0, None)
            buf = ctypes.create_string_buffer(max(size, 1))
            flags = ctypes.c_int()
            pdfium_c.FPDFText_GetFontInfo(textpage, i, buf, size, ctypes.byref(flags))
            result.append((char, buf.value.decode("utf-8", "replace")))
        return result
    finally:
        doc.close()


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def render_page(data: bytes, index: int = 0, *, scale: float = 2.0):
    """A grayscale PIL image of one page."""
    doc = open_pdf(data)
    try:
        return doc[index].render(scale=scale).to_pil().convert("L")
    finally:
        doc.close()


def dark_fraction(image) -> float:
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height)


def differing_fraction(a, b) -> float:
    """Share of pixels that differ clearly between two same-size grayscale images."""
    assert a.size == b.size
    histogram = ImageChops.difference(a, b).histogram()
    return sum(histogram[65:]) / (a.width * a.height)


def save_screenshot(image, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    image.save(path)
    return path
