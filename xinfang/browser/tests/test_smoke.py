"""The browser can reach the live server and log in."""

import pytest

from xinfang.browser.conftest import login
from xinfang.testing import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_login_page_renders_in_chinese_and_logs_in(page, live_server, shots):
    from xinfang.testing import make_world

    make_world()
    page.goto(f"{live_server.url}/login/")
    assert "工作人员登录" in page.content()
    shots(page, "login")
    login(page, live_server, "registrar", PASSWORD)
    assert "/login/" not in page.url
    shots(page, "after-login")
