"""English through Django's i18n: Chinese by default, English on request, a complete catalogue."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from xinfang.petitions.choices import Status
from xinfang.testing import PASSWORD

pytestmark = pytest.mark.django_db

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{\{ *[a-z_.]+ *\}\}|\{[a-z_]+\}")


def read_po(path: Path) -> list[dict]:
    """The catalogue's live entries: {"msgid", "plural", "msgstr": [..], "fuzzy"}; header and obsolete skipped."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {"msgid": None, "plural": None, "msgstr": [], "fuzzy": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
                field, value = m.group(1), ast.literal_eval(m.group(2))
                if field.startswith("msgstr"):
                    entry["msgstr"].append(value)
                elif field == "msgid_plural":
                    entry["plural"] = value
                elif field == "msgid":
                    entry["msgid"] = value
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if field.startswith("msgstr"):
                    entry["msgstr"][-1] += value
                elif field == "msgid_plural":
                    entry["plural"] += value
                elif field == "msgid":
                    entry["msgid"] += value
        if entry["msgid"]:
            entries.append(entry)
    return entries


def login_page(client) -> str:
    response = client.get("/login/")
    assert response.status_code == 200
    return response.content.decode()


def log_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "login with testing.PASSWORD failed"


def test_chinese_is_the_default_without_any_language_preference(client, world):
    html = login_page(client)
    assert '<html lang="zh-hans">' in html
    assert "工作人员登录" in html and "Staff login" not in html
    log_in(client, world.registrar)
    html = client.get("/").content.decode()
    assert "登记新信访事项" in html and "Register a new petition" not in html
    assert "登记员" in html  # role label


def test_setlang_switches_login_and_home_pages_to_english(client, world):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = login_page(client)
    assert '<html lang="en">' in html
    for text in ("Staff login", "Username", "Password", "Log in"):
        assert text in html
    assert "工作人员登录" not in html
    log_in(client, world.registrar)
    html = client.get("/").content.decode()
    for text in ("Hello, ", "To do", "Register a new petition", "Registrar", "Log out", "Skip to content"):
        assert text in html
    assert "登记新信访事项" not in html and "退出" not in html


def test_accept_language_header_selects_english(client, world):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Staff login" in html and "工作人员登录" not in html


def test_language_cookie_selects_english_for_a_logged_in_user(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(client, world.handler_a)
    html = client.get("/").content.decode()
    assert "Case handler" in html and "Log out" in html
    assert "退出" not in html


def test_status_labels_follow_the_active_language():
    with translation.override("en"):
        assert str(Status.HANDLING.label) == "Being handled"
        assert str(Status.REJECTED.label) == "Reject"
    with translation.override("zh-hans"):
        assert str(Status.HANDLING.label) == "办理中"


def test_catalogue_is_fully_translated_without_fuzzy_entries():
    entries = read_po(LC_MESSAGES / "django.po")
    assert entries
    untranslated = [e["msgid"] for e in entries if e["fuzzy"] or not all(e["msgstr"])]
    assert untranslated == []


def test_translations_keep_every_placeholder():
    broken = []
    for e in read_po(LC_MESSAGES / "django.po"):
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        broken += [(e["msgid"], s) for s in e["msgstr"] if sorted(PLACEHOLDER.findall(s)) != wanted]
    assert broken == []


def test_compiled_catalogue_matches_the_po_file():
    """django.mo is committed: it must be recompiled whenever django.po changes."""
    with open(LC_MESSAGES / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in read_po(LC_MESSAGES / "django.po"):
        if e["plural"] is None:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]
        else:
            assert compiled.ngettext(e["msgid"], e["plural"], 2) == e["msgstr"][-1], e["msgid"]
