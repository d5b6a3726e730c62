"""Issue 4, the main path end to end in headless Chromium: a collective visit is
registered at the desk, routed by the bureau, accepted, extended and answered
by the town, and the petitioner follows it on the portal from a phone,
downloads the opinion, evaluates and asks for a review."""

from __future__ import annotations

import pytest

from xinfang.browser.tests.steps import (
    act,
    id_number,
    messages,
    pdf_dark_fraction,
    pdf_text,
    petition_pk,
    petitioner_row,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "内部备注XF-7731：物业经理私下承认多收，勿对外"
EXTENSION_REASON = "需现场勘验并协调物业公司，情况复杂"
COMMENT = "处理及时，但停车费仍未全部退还"
PEOPLE = [
    ("张建国", id_number("32070619700101123"), "13812345601", True),
    ("李秀英", id_number("32070619750315234"), "13812345602", True),
    ("王德明", id_number("32070619820720345"), "13812345603", False),
]


def test_visit_routed_accepted_extended_answered_then_evaluated_and_reviewed_on_portal(
    staff_page, mobile_page, live_server, shots
):
    from xinfang.petitions.models import Evaluation, Petition
    from xinfang.testing import make_world

    world = make_world()
    base = live_server.url

    # 1. The registrar registers a visit of three at the desk.
    registrar = staff_page("registrar")
    registrar.goto(f"{base}/desk/")
    shots(registrar, "desk-empty")
    registrar.select_option("#id_channel", "visit")
    for i, (name, id_no, phone, rep) in enumerate(PEOPLE):
        petitioner_row(
            registrar, i, name=name, id_no=id_no, phone=phone, address="新海街道朝阳小区", representative=rep
        )
    registrar.fill("#id_title", "朝阳小区物业擅自上调停车费")
    registrar.fill("#id_request", "要求物业退还多收的停车费")
    registrar.fill("#id_facts_reasons", "物业未经业主大会同意，将停车费由每月100元提高到200元")
    registrar.fill(
        "#id_content", "朝阳小区业主三人来访，反映物业公司擅自上调停车费，要求依法查处并退还多收费用。"
    )
    registrar.select_option("#id_town", str(world.town_a.pk))
    registrar.fill("#id_place_address", "新海街道朝阳小区")
    assert registrar.locator(".petitioner-row").count() == 3
    shots(registrar, "desk-filled")
    submit(registrar, "#desk-form button[type=submit]")
    assert "/receipt/" in registrar.url, registrar.content()[:3000]
    assert "信访事项登记回执" in registrar.content()
    case_number = registrar.locator("dd.big").first.inner_text().strip()
    query_code = registrar.locator("span.code").inner_text().strip()
    pk = petition_pk(registrar.url)
    shots(registrar, "receipt")
    petition = Petition.objects.get(pk=pk)
    assert petition.case_number == case_number and petition.check_query_code(query_code)
    links = list(petition.petitioner_links.select_related("petitioner").order_by("order"))
    assert [(link.petitioner.name, link.is_representative) for link in links] == [
        (name, rep) for name, _id, _phone, rep in PEOPLE
    ]
    assert petition.status == "registered" and petition.channel == "visit"

    # 2. The bureau classifies (申诉求决类, route 6) and transfers to 新海街道.
    registrar.goto(f"{base}/petitions/{pk}/")
    act(registrar, "classify", select={"petition_class": "claim", "claim_route": "6"})
    assert "已保存分类" in messages(registrar)
    shots(registrar, "classified")
    act(registrar, "transfer", select={"unit": world.town_a.pk}, fill={"reason": "属地管理，请依法办理"})
    assert "已转送" in messages(registrar)
    shots(registrar, "transferred")
    petition.refresh_from_db()
    assert petition.status == "routed" and petition.handling_unit == world.town_a
    assert petition.petition_class == "claim" and petition.claim_route == 6

    # 3. The town's handler notifies, notes something internal and accepts.
    handler = staff_page("handler_a")
    handler.goto(f"{base}/petitions/{pk}/")
    shots(handler, "handler-sees-routed")
    act(handler, "notify", fill={"text": "已书面告知信访人受理情况"})
    assert "已记录书面告知" in messages(handler)
    act(handler, "note", fill={"text": NOTE})
    assert NOTE in handler.content()
    shots(handler, "notified-and-noted")
    act(handler, "accept", fill={"reason": "属于本街道职责"})
    assert "已受理" in messages(handler)
    shots(handler, "accepted")
    petition.refresh_from_db()
    assert petition.status == "handling" and petition.accepted_at is not None

    # 4. The unit leader extends the handling period.
    leader = staff_page("leader_a")
    leader.goto(f"{base}/petitions/{pk}/")
    act(leader, "extend", fill={"days": "20", "reason": EXTENSION_REASON})
    assert "已延长办理期限" in messages(leader)
    shots(leader, "extended")
    petition.refresh_from_db()
    assert petition.is_extended

    # 5. The handler drafts the opinion on its own page; the leader approves it.
    handler.goto(f"{base}/petitions/{pk}/")
    handler.locator("#action-draft_opinion summary").click()
    with handler.expect_navigation():
        handler.click("#action-draft_opinion a.btn")
    assert "拟写信访处理意见书" in handler.content()
    handler.check("input[name=outcome][value=support]")
    assert handler.input_value("#id_draft_opinion_request") == "要求物业退还多收的停车费"  # prefilled
    handler.fill(
        "#id_draft_opinion_findings", "经查，物业公司未经业主大会同意、未向物价部门备案即提高停车费。"
    )
    handler.fill("#id_draft_opinion_opinion_text", "责令物业公司恢复原收费标准，并于30日内退还多收的停车费。")
    handler.fill("#id_draft_opinion_legal_basis", "《物业管理条例》第四十条；《江苏省物业管理条例》")
    shots(handler, "opinion-form")
    submit(handler, "form.card button[type=submit]")
    assert "意见书已提交审批" in messages(handler)
    shots(handler, "opinion-drafted")
    leader.goto(f"{base}/petitions/{pk}/")
    act(leader, "approve_opinion")
    assert "意见书已出具" in messages(leader)
    assert "信访处理意见书" in leader.locator("#docs-h + table").inner_text()
    shots(leader, "opinion-issued")
    petition.refresh_from_db()
    assert petition.status == "opinion_issued" and petition.opinion_delivered_at is not None

    # 6. The petitioner, on a phone and not logged in, looks the case up.
    phone = mobile_page
    phone.goto(f"{base}/portal/lookup/")
    phone.fill("#id_case_number", case_number)
    phone.fill("#id_query_code", query_code.lower())  # as typed on a phone keyboard
    shots(phone, "portal-lookup")
    submit(phone, "button.p-btn[type=submit]")
    assert phone.url.endswith("/portal/case/"), phone.content()[:2000]
    timeline = phone.locator(".p-timeline").inner_text()
    for expected in (
        "登记",
        "转送至新海街道",
        "新海街道已受理",
        "延期",
        EXTENSION_REASON,
        "出具信访处理意见书",
    ):
        assert expected in timeline, (expected, timeline)
    body = phone.content()
    assert NOTE not in body and "XF-7731" not in body
    assert "新海承办人" not in body and "登记员小王" not in body  # no staff names
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shots(phone, "portal-case")

    # The opinion notice downloads as a PDF and is not blank.
    link = phone.locator(".p-card a", has_text="信访处理意见书")
    href = link.get_attribute("href")
    with phone.expect_download() as download_info:
        link.click()
    data = open(download_info.value.path(), "rb").read()
    assert data.startswith(b"%PDF-"), data[:40]
    response = phone.request.get(f"{base}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    dark, image = pdf_dark_fraction(data)
    shots.image(image, "opinion-pdf-page1")
    assert 0.003 < dark < 0.5, dark  # printed text on white paper, neither blank nor black
    text = pdf_text(data)
    assert "信访处理意见书" in text and "张建国" in text and "责令物业公司恢复原收费标准" in text

    # Evaluates the handling, then asks for a review.
    with phone.expect_navigation():
        phone.click("a.p-btn:has-text('评价办理情况')")
    phone.check("input[name=rating][value=basically_satisfied]")
    phone.fill("#id_comment", COMMENT)
    shots(phone, "portal-evaluate")
    submit(phone, "button.p-btn[type=submit]")
    assert "感谢您的评价" in phone.content()
    shots(phone, "portal-evaluated")
    with phone.expect_navigation():
        phone.click("a.p-btn:has-text('请求复查')")
    phone.fill("#id_reason", "对处理意见中退还期限不服，请求上一级机关复查。")
    shots(phone, "portal-review-form")
    submit(phone, "button.p-btn[type=submit]")
    assert "您的复查请求已提交" in phone.content(), phone.content()[:2000]
    assert "请求复查" in phone.locator(".p-timeline").inner_text()
    shots(phone, "portal-review-requested")

    # Final state, read back from the DB.
    petition.refresh_from_db()
    assert petition.stage == "review" and petition.status == "handling"
    assert petition.handling_unit == world.district
    evaluation = Evaluation.objects.get(petition=petition)
    assert (evaluation.stage, evaluation.rating, evaluation.comment) == (
        "handling",
        "basically_satisfied",
        COMMENT,
    )
    labels = [
        "desk-empty",
        "desk-filled",
        "receipt",
        "classified",
        "transferred",
        "handler-sees-routed",
        "notified-and-noted",
        "accepted",
        "extended",
        "opinion-form",
        "opinion-drafted",
        "opinion-issued",
        "portal-lookup",
        "portal-case",
        "opinion-pdf-page1",
        "portal-evaluate",
        "portal-evaluated",
        "portal-review-form",
        "portal-review-requested",
    ]
    files = sorted(p.name for p in shots.folder.iterdir())
    assert files == [f"{i:02d}-{label}.png" for i, label in enumerate(labels, start=1)]
    assert all((shots.folder / name).stat().st_size > 1000 for name in files)
