"""Issue 16: 登记并转送 from the desk.  The same visit is registered and sent to
新海街道 the old way (desk, two 采用 clicks, then the petition page's transfer
box) and the new way (desk with the suggested unit pre-selected, one button),
counting the registrar's actions; the new way is done with the keyboard only."""

from __future__ import annotations

import pytest

from xinfang.browser.tests.steps import id_number, messages, petition_pk, submit

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "朝阳小区路灯长期不亮"
CONTENT = "新海街道朝阳小区居民来访，反映小区门口道路路灯坏了三个月无人维修，夜间出行不便，要求尽快修复。"


class Counted:
    """The registrar's actions on a page: every fill, choice, click and key press."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __getattr__(self, name):
        method = getattr(self.page, name)
        if name in {"fill", "select_option", "click", "check", "press"}:

            def counted(*args, **kwargs):
                self.count += 1
                return method(*args, **kwargs)

            return counted
        return method


def _fill_desk(page, n: int) -> None:
    page.fill("#p-0-name", f"张建国{n}")
    page.fill("#p-0-id_number", id_number(f"3207061970010112{n}"))
    page.fill("#p-0-phone", f"1381234560{n}")
    page.fill("#id_title", TITLE)
    page.fill("#id_content", CONTENT)


def _wait_for_suggestions(page) -> None:
    page.wait_for_selector("#triage-panel .sugg", timeout=20000)


def test_register_and_transfer_in_one_step_with_the_suggested_unit(staff_page, live_server, shots):
    from xinfang.petitions.models import Petition
    from xinfang.testing import make_world

    world = make_world()
    base = live_server.url
    raw = staff_page("registrar")

    # Before: register, adopt the suggestions by hand, then transfer on the petition page.
    old = Counted(raw)
    old.goto(f"{base}/desk/")
    _fill_desk(old, 1)
    _wait_for_suggestions(raw)
    old.select_option("#id_town", str(world.town_a.pk))
    old.select_option("#id_petition_class", "claim")
    submit(old, "#desk-form button[value=register]")
    pk = petition_pk(raw.url)
    old.goto(f"{base}/petitions/{pk}/")
    old.count += 1  # the visit to the petition page
    box = raw.locator("#action-transfer")
    old.click("#action-transfer summary")
    old.select_option("#id_transfer_unit", str(world.town_a.pk))
    old.fill("#id_transfer_reason", "属地管理")
    box.locator("button[type=submit]").click()
    old.count += 1
    raw.wait_for_load_state("domcontentloaded")
    assert Petition.objects.get(pk=pk).handling_unit == world.town_a

    # After: the suggested unit is already chosen; one button registers and transfers.
    new = Counted(raw)
    new.goto(f"{base}/desk/")
    _fill_desk(new, 2)
    _wait_for_suggestions(raw)
    raw.wait_for_function(
        "u => document.getElementById('id_route_unit').value === u", arg=str(world.town_a.pk)
    )
    assert raw.locator("#route_unit_note").is_visible()
    shots(raw, "desk-register-and-transfer")
    with raw.expect_navigation():
        new.press("#id_content", "Alt+t")  # keyboard only: the accesskey of 登记并转送
    raw.wait_for_load_state("domcontentloaded")
    assert "已转送至新海街道" in messages(raw), raw.content()[:2000]
    shots(raw, "registered-and-transferred")
    newest = Petition.objects.latest("pk")
    assert newest.pk != pk and newest.status == "routed" and newest.handling_unit == world.town_a
    print(f"actions from arrival to transfer: before {old.count}, after {new.count}")
    assert new.count < old.count
    assert new.count <= 7


def test_register_and_transfer_refused_registers_nothing(staff_page, live_server):
    """A transfer the action refuses (an accusation to a town) leaves no half-written petition."""
    from xinfang.petitions.models import Petition
    from xinfang.testing import make_world

    world = make_world()
    page = staff_page("registrar")
    page.goto(f"{live_server.url}/desk/")
    _fill_desk(page, 3)
    page.select_option("#id_petition_class", "accusation")
    page.fill("#route-unit-filter", "新海")
    page.press("#route-unit-filter", "Enter")
    assert page.locator("#id_route_unit").input_value() == str(world.town_a.pk)
    submit(page, "#register-and-transfer")
    assert Petition.objects.count() == 0
    assert "纪检监察机关" in page.locator("#route").inner_text()
