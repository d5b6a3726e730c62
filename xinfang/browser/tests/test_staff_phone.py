"""Issue 16: staff pages on a phone (390 px): the menu folds away so the page
starts on the first screen, and the inbox table scrolls inside its box."""

from __future__ import annotations

import pytest

from xinfang.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_inbox_on_a_phone_fits_the_screen_and_the_menu_folds(mobile_page, live_server, shots):
    from xinfang.testing import PASSWORD, advance, make_petition, make_world

    world = make_world()
    for i in range(3):
        advance(make_petition(world, title=f"朝阳小区路灯长期不亮{i}"), world, to="handling")
    page = mobile_page
    login(page, live_server, "registrar", PASSWORD)
    page.goto(f"{live_server.url}/inbox/?view=all")
    assert not page.locator("#mainnav").is_visible()
    heading = page.locator("h1").bounding_box()
    assert heading["y"] < 200, heading  # the page starts on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.locator("table.list").first
    assert table.bounding_box()["width"] <= 390
    shots(page, "inbox-phone")
    page.click("label[for=nav-toggle]")
    assert page.locator("#mainnav").is_visible()
    assert page.get_by_role("link", name="登记台").is_visible()
    shots(page, "inbox-phone-menu")
