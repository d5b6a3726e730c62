"""The portal on a phone-sized screen in headless Chromium: submit with the
image captcha (its text fixed by the test), then look the case up.
Screenshots go to screenshots/<test>/."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_and_lookup_on_a_phone(mobile_page, live_server, shots, monkeypatch):
    from xinfang.testing import make_world

    world = make_world()
    page = mobile_page
    page.goto(f"{live_server.url}/portal/")
    assert "代表人数不得超过5人" in page.content()
    shots(page, "home")
    page.goto(f"{live_server.url}/portal/submit/")
    shots(page, "submit-image-captcha")
    # The server runs in this process: fix the next image's text to type it.
    from xinfang.portal import captcha

    monkeypatch.setattr(captcha, "new_answer", lambda: "ACE34")
    page.goto(f"{live_server.url}/portal/submit/")
    page.fill("#id_name", "王小明")
    page.fill("#id_id_number", "320706198001011236")
    page.fill("#id_phone", "13912345678")
    page.fill("#id_address", "新海街道朝阳小区5栋101室")
    page.select_option("#id_town", str(world.town_a.pk))
    page.fill("#id_content", "小区门口道路破损已半年，雨天积水，请求尽快修复。")
    # The structured fields are optional and folded away; a petitioner may still open them.
    page.click("details.p-more summary")
    page.fill("#id_request", "请求修复小区门口破损路面")
    page.fill("#id_facts_reasons", "道路破损半年，老人摔倒。")
    page.check("#id_truthful")
    page.fill("#id_captcha", "ACE34")
    page.click("button.p-btn[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "提交成功" in page.content(), page.content()[:2000]
    code = page.inner_text(".p-code").strip()
    shots(page, "submitted")
    case_number = page.inner_text(".p-codes dd").strip()
    page.click("text=查看办理进展")
    assert "办理记录" in page.content()
    shots(page, "case")
    page.goto(f"{live_server.url}/portal/lookup/?case={case_number}")
    page.fill("#id_query_code", "WRONG000")
    page.click("button.p-btn[type=submit]")
    assert "信访件编号或查询码不正确" in page.content()
    shots(page, "lookup-wrong")
    page.fill("#id_query_code", code)
    page.click("button.p-btn[type=submit]")
    page.wait_for_load_state("networkidle")
    assert case_number in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows the phone's width


def test_city_portal_picks_the_district_on_a_phone(mobile_page, live_server, shots, monkeypatch):
    """Issue 14: with several bureaus the petitioner picks the place (or the bureau);
    nothing picked is said next to the picker; the page stays within 390 px."""
    from xinfang.portal import captcha
    from xinfang.testing import make_city, make_world

    world = make_world()
    make_city(world)
    world.bureau.phone, world.bureau.address = "0518-85512345", "连云港市海州区朝阳中路68号"
    world.bureau.save()
    page = mobile_page
    monkeypatch.setattr(captcha, "new_answer", lambda: "ACE34")

    def fill(place: str) -> None:
        page.goto(f"{live_server.url}/portal/submit/")
        page.fill("#id_name", "王小明")
        page.fill("#id_id_number", "320706198001011236")
        page.fill("#id_phone", "13912345678")
        page.fill("#id_address", "新海街道朝阳小区5栋101室")
        if place:
            page.select_option("#id_town", place)
        page.fill("#id_content", "小区门口道路破损已半年，雨天积水，请求尽快修复。")
        page.check("#id_truthful")
        page.fill("#id_captcha", "ACE34")

    fill("")
    assert page.locator("#id_bureau").is_visible()
    shots(page, "city-submit")
    page.click("button.p-btn[type=submit]")
    page.wait_for_load_state("networkidle")
    error = page.locator(".p-field.has-error .p-error").first
    assert "请选择事项所在地或受理的信访部门" in error.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shots(page, "city-nothing-picked")
    fill(str(world.town_a.pk))
    page.click("button.p-btn[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "提交成功" in page.content(), page.content()[:2000]
    bureau = page.inner_text(".p-bureau")
    assert "海州区信访局" in bureau and "0518-85512345" in bureau and "朝阳中路68号" in bureau
    assert page.inner_text(".p-codes dd").strip().startswith("海信")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shots(page, "city-submitted")
