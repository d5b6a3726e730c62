"""Browser steps shared by the end-to-end tests: the petition page's action
boxes, the registration desk's petitioner rows, valid ID numbers and the PDF
raster check.  Every step goes through the UI; only assertions read the DB."""

from __future__ import annotations

import re
from datetime import date

from xinfang.lib.idcard import id_check_digit


def id_number(first17: str) -> str:
    """A GB 11643 ID number with its check digit."""
    return first17 + id_check_digit(first17)


def submit(page, selector: str, *, confirm: bool = False) -> None:
    """Click a submit button and wait for the page the POST leads to."""
    if confirm:
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("domcontentloaded")


def act(page, name: str, *, fill=None, select=None, check=(), radio=None, confirm: bool = False) -> None:
    """Open the action box `name` on the petition page, fill it and submit it.
    Field ids follow the action forms' auto_id, id_<action>_<field>."""
    box = page.locator(f"#action-{name}")
    box.locator("summary").click()
    for field, value in (select or {}).items():
        page.select_option(f"#id_{name}_{field}", str(value))
    for field, value in (fill or {}).items():
        page.fill(f"#id_{name}_{field}", str(value))
    for field in check:
        page.check(f"#id_{name}_{field}")
    for field, value in (radio or {}).items():
        box.locator(f"input[name='{field}'][value='{value}']").check()
    submit(page, f"#action-{name} button[type=submit]", confirm=confirm)


def open_opinion_form(page) -> None:
    """From the petition page, open the opinion form (its own page)."""
    page.locator("#action-draft_opinion summary").click()
    with page.expect_navigation():
        page.click("#action-draft_opinion a.btn")


def draft_opinion(page, outcome: str | None = "support", *, keep_open: bool = False, **fields) -> None:
    """From the petition page (or, with `keep_open`, on the opinion form already
    open), choose the outcome, fill the given fields and submit; fields not
    given keep what the form holds (a returned draft is pre-filled)."""
    if not keep_open:
        open_opinion_form(page)
    if outcome:
        page.check(f"input[name=outcome][value={outcome}]")
    for name, value in fields.items():
        page.fill(f"#id_draft_opinion_{name}", value)
    submit(page, "form.card button[type=submit]")


def timeline(page) -> str:
    """The petition page's 办理过程, as text."""
    return page.locator("ol.timeline").inner_text()


def current_due(page) -> date | None:
    """The date of the petition page's 当前期限, or None when it shows none."""
    due = page.locator(".petition-head .due")
    if due.count() == 0:
        return None
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", due.inner_text())
    assert match, due.inner_text()
    return date(*(int(part) for part in match.groups()))


def extension_requests(page) -> list[dict]:
    """The petition page's 延期申请 table, one dict per row with the header
    labels as keys (申请人, 延长天数, 延期理由, 状态, 审批意见 …)."""
    table = page.locator("#extension-requests")
    if table.count() == 0:
        return []
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    return [
        dict(zip(heads, (c.strip() for c in row.locator("td").all_inner_texts()), strict=True))
        for row in table.locator("tbody tr").all()
    ]


def messages(page, kind: str = "success") -> str:
    return " ".join(page.locator(f".messages .msg-{kind}").all_inner_texts())


def petitioner_row(
    page,
    i: int,
    *,
    name: str,
    id_no: str = "",
    phone: str = "",
    address: str = "",
    representative: bool = False,
) -> None:
    """Fill petitioner row `i` of the desk; rows after the first are added with 添加信访人."""
    if page.locator(f"#p-{i}-name").count() == 0:
        # The previous row's lookup answers asynchronously and its result moves the button down: a
        # click aimed while it lands can miss (test_main_path once: row 2 never appeared).
        page.wait_for_load_state("networkidle")
        page.click("#add-petitioner")
        page.wait_for_selector(f"#p-{i}-name")
    page.fill(f"#p-{i}-name", name)
    if id_no:
        page.fill(f"#p-{i}-id_number", id_no)
    if phone:
        page.fill(f"#p-{i}-phone", phone)
    if address:
        page.fill(f"#p-{i}-address", address)
    if representative:
        page.check(f"#p-{i}-rep")


def petition_pk(url: str) -> int:
    match = re.search(r"/petitions/(\d+)/", url)
    assert match, url
    return int(match.group(1))


def pdf_dark_fraction(data: bytes, *, page_index: int = 0, scale: float = 1.5):
    """Rasterise one page with pypdfium2: (share of dark pixels, grayscale PIL image)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        image = doc[page_index].render(scale=scale).to_pil().convert("L")
    finally:
        doc.close()
    histogram = image.histogram()
    return sum(histogram[:128]) / (image.width * image.height), image


def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
