"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against
pytest-django's live server.  Nothing downloads a browser.  Each test may save
screenshots under screenshots/<test name>/ for review."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("XINFANG_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "xinfang/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


class Shots:
    """Numbered screenshots of one test, for review."""

    def __init__(self, name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w\-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, page, label: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def image(self, image, label: str) -> Path:
        """Save a PIL image (e.g. a rasterised PDF page) in the same numbered sequence."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        image.save(path)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name)


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # Scoped to the login form: the header's language switch is a submit button too.
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def staff_page(browser, live_server):
    """A factory: `staff_page("handler_a")` is a desktop page in its own browser
    context (own cookies), already logged in as that user."""
    contexts = []

    def open_as(username: str, password: str | None = None):
        from xinfang.testing import PASSWORD

        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        login(page, live_server, username, password or PASSWORD)
        assert "/login/" not in page.url, f"login as {username} failed"
        return page

    yield open_as
    for context in contexts:
        context.close()
