"""Issue 4, the refusal paths in the browser: what staff and petitioners must
not see or do, and the Chinese messages they get instead.  Petitions are set
up through the real actions; the refusals themselves go through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.browser.tests.steps import act, id_number, messages, petitioner_row, submit

pytestmark = pytest.mark.django_db(transaction=True)

BUREAU_ONLY = ("transfer", "decide_objection", "merge", "reopen")


def csrf_token(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def test_unit_handler_is_offered_no_bureau_action_and_cannot_post_one(staff_page, live_server, shots):
    from xinfang.testing import advance, make_petition, make_world

    world = make_world()
    petition = advance(make_petition(world), world, to="routed")
    url = f"{live_server.url}/petitions/{petition.pk}/"

    registrar = staff_page("registrar")
    registrar.goto(url)
    assert registrar.locator("#action-merge").count() == 1  # the bureau has its own actions here
    shots(registrar, "registrar-actions")

    handler = staff_page("handler_a")
    handler.goto(url)
    shots(handler, "handler-actions")
    actions = handler.locator(".petition-actions")
    assert actions.locator("#action-accept").count() == 1
    for name in BUREAU_ONLY:
        assert actions.locator(f"#action-{name}").count() == 0, name

    # A hand-made POST of a bureau action is refused too, and changes nothing.
    response = handler.request.post(
        f"{url}act/transfer/",
        form={"unit": str(world.town_b.pk), "reason": "改派"},
        headers={"X-CSRFToken": csrf_token(handler), "Referer": url},
    )
    assert response.status == 403, response.status
    handler.goto(url)
    petition.refresh_from_db()
    assert petition.status == "routed" and petition.handling_unit == world.town_a


def test_handler_of_another_unit_gets_404_for_the_petition(staff_page, live_server, shots):
    from xinfang.testing import advance, make_petition, make_world

    world = make_world()
    petition = advance(make_petition(world, title="朝阳小区路灯不亮"), world, to="handling")
    other = staff_page("handler_b")
    for path in ("", "receipt/", "opinion/"):
        response = other.goto(f"{live_server.url}/petitions/{petition.pk}/{path}")
        assert response.status == 404, (path, response.status)
        body = other.content()
        assert petition.case_number not in body and "朝阳小区路灯不亮" not in body
    shots(other, "other-unit-404")
    own = staff_page("handler_a")
    assert own.goto(f"{live_server.url}/petitions/{petition.pk}/").status == 200


def test_accusation_is_hidden_from_the_accused_unit(staff_page, live_server, shots):
    from xinfang.testing import make_petition, make_world

    world = make_world()
    # Both received directly at 新海街道, so its staff would normally see them.
    control = make_petition(world, actor=world.handler_a, title="建议增设路灯", petition_class="suggestion")
    accusation = make_petition(
        world,
        actor=world.handler_a,
        title="检举街道干部违规收费",
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
    )
    handler = staff_page("handler_a")
    assert handler.goto(f"{live_server.url}/petitions/{control.pk}/").status == 200
    for username in ("handler_a", "leader_a", "community_handler"):
        page = handler if username == "handler_a" else staff_page(username)
        response = page.goto(f"{live_server.url}/petitions/{accusation.pk}/")
        assert response.status == 404, username
        assert "检举街道干部违规收费" not in page.content()
    shots(handler, "accused-unit-404")
    bureau = staff_page("registrar")
    assert bureau.goto(f"{live_server.url}/petitions/{accusation.pk}/").status == 200
    shots(bureau, "bureau-sees-accusation")


def fill_desk(page, world, people) -> None:
    page.fill("#id_title", "小区停车费上涨")
    page.fill("#id_content", "多名业主来访反映物业公司擅自上调停车费。")
    page.select_option("#id_town", str(world.town_a.pk))
    for i, person in enumerate(people):
        petitioner_row(page, i, **person)


def test_desk_shows_chinese_field_errors_and_saves_nothing(staff_page, live_server, shots):
    from xinfang.petitions.models import Petition, Petitioner, PetitionEvent
    from xinfang.testing import make_world

    world = make_world()
    page = staff_page("registrar")

    page.goto(f"{live_server.url}/desk/")
    good = id_number("32070619800101123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check digit
    fill_desk(page, world, [{"name": "张三", "id_no": bad}])
    submit(page, "#desk-form button[type=submit]")
    assert "/desk/" in page.url
    assert page.locator("#error-summary").is_visible()
    assert page.inner_text("#p-0-id_number_error") == "身份证号码格式或校验位不正确"
    assert page.get_attribute("#p-0-id_number", "aria-invalid") == "true"
    assert page.input_value("#p-0-name") == "张三"  # what was typed is kept
    shots(page, "bad-id-number")

    page.goto(f"{live_server.url}/desk/")
    six = [
        {"name": f"业主{i}", "id_no": id_number(f"3207061980010{i + 1}123"), "representative": True}
        for i in range(6)
    ]
    fill_desk(page, world, six)
    assert page.locator(".petitioner-row").count() == 6
    submit(page, "#desk-form button[type=submit]")
    assert "/desk/" in page.url
    assert "推选代表不得超过5人" in page.inner_text("#petitioners_error")
    assert page.locator(".petitioner-row .field-error", has_text="代表人数不得超过5人").count() == 6
    shots(page, "six-representatives")

    assert Petition.objects.count() == 0
    assert Petitioner.objects.count() == 0 and PetitionEvent.objects.count() == 0


def test_rejection_by_unit_leader_issues_the_rejection_notice(staff_page, live_server, shots):
    from xinfang.documents.models import IssuedDocument
    from xinfang.testing import advance, make_petition, make_world

    world = make_world()
    # Received directly at the street office (Art. 23①): a transferred matter
    # is objected to instead, and the page does not offer 不予受理 for it.
    transferred = advance(make_petition(world), world, to="routed")
    petition = make_petition(world, actor=world.handler_a, petition_class="claim")
    leader = staff_page("leader_a")
    leader.goto(f"{live_server.url}/petitions/{transferred.pk}/")
    assert leader.locator("#action-reject").count() == 0
    leader.goto(f"{live_server.url}/petitions/{petition.pk}/")
    shots(leader, "routed")
    act(
        leader,
        "reject",
        select={"reason_code": "outside_powers"},
        fill={
            "reason": "停车收费标准由区发改委核定，不属于本街道职权范围",
            "competent_body": "区发展和改革局",
        },
        confirm=True,
    )
    assert "已作出不予受理决定" in messages(leader), leader.content()[:3000]
    documents = leader.locator("#docs-h + table").inner_text()
    assert "不予受理告知书" in documents
    shots(leader, "rejected-with-notice")
    petition.refresh_from_db()
    assert petition.status == "rejected"
    notice = IssuedDocument.objects.get(petition=petition, kind="rejection_notice")
    assert "请您向区发展和改革局提出" in notice.body_text and "第二十三条第一款" in notice.body_text
    response = leader.request.get(f"{live_server.url}/documents/{notice.pk}.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF-")


def portal_open(page, base: str, case_number: str, code: str) -> None:
    page.goto(f"{base}/portal/lookup/")
    page.fill("#id_case_number", case_number)
    page.fill("#id_query_code", code)
    submit(page, "button.p-btn[type=submit]")


def test_portal_refuses_review_after_the_30_day_window(mobile_page, live_server, shots):
    from xinfang.calendars.rules import DeadlineRule
    from xinfang.petitions.models import Deadline
    from xinfang.testing import advance, deliver_opinion, make_petition, make_world

    world = make_world()
    petition = make_petition(world)
    code = petition.query_code
    petition = advance(petition, world, to="issued")
    # The window counts from receipt (Art. 35): the opinion was delivered.
    deliver_opinion(petition, world)
    shifted = Deadline.objects.filter(petition=petition, rule=DeadlineRule.REVIEW_REQUEST).update(
        due=timezone.localdate() - timedelta(days=1)
    )
    assert shifted == 1
    page = mobile_page
    portal_open(page, live_server.url, petition.case_number, code)
    assert page.url.endswith("/portal/case/")
    assert "请求复查的期限已于" in page.content()
    assert page.locator("a.p-btn", has_text="请求复查").count() == 0
    shots(page, "case-window-closed")

    response = page.goto(f"{live_server.url}/portal/case/review/")
    alert = page.inner_text(".p-alert")
    assert "已超过自收到书面答复之日起30日的复查请求期限" in alert and "不能再请求复查" in alert
    assert page.locator("#id_reason").count() == 0
    shots(page, "review-refused")
    posted = page.request.post(
        f"{live_server.url}/portal/case/review/",
        form={"reason": "不服", "csrfmiddlewaretoken": csrf_token(page)},
    )
    assert response.status == 200 and posted.status == 409
    petition.refresh_from_db()
    assert petition.stage == "initial" and petition.status == "opinion_issued"


def test_portal_refuses_a_wrong_query_code(mobile_page, live_server, shots):
    from xinfang.testing import make_petition, make_world

    world = make_world()
    petition = make_petition(world)
    wrong = "ACEF3479" if petition.query_code != "ACEF3479" else "ACEF3497"
    page = mobile_page
    portal_open(page, live_server.url, petition.case_number, wrong)
    assert "/portal/lookup/" in page.url
    assert "信访件编号或查询码不正确" in page.inner_text(".p-alert")
    assert petition.title not in page.content()
    shots(page, "wrong-code")
    page.goto(f"{live_server.url}/portal/case/")
    assert "/portal/lookup/" in page.url  # nothing was opened
    shots(page, "case-not-opened")
