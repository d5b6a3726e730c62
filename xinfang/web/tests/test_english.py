"""The English staff UI is complete: every page a role can reach from the menu, and the
detail pages behind it, show no Chinese except the user data stored in the database."""

from __future__ import annotations

import html as htmllib
import pprint
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from xinfang.web.nav import items_for

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Case and document numbers such as 海信〔2026〕00001号 (their prefix is the unit's abbreviation).
CASE_NUMBER = re.compile(r"[\u3400-\u9fff]{1,10}〔\d{4}〕\d+号")
# The language switch names the other language in that language, on purpose.
LANGSWITCH = re.compile(r'<form[^>]*class="[^"]*langswitch.*?</form>', re.S)
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def stored_texts() -> list[str]:
    """Every Chinese text the fixtures stored in the database (names, titles, contents…),
    longest first: that is user data, shown as entered, not UI text."""
    found = set()
    for model in apps.get_models():
        # Document templates are seeded by a migration and share titles with UI labels
        # (登记回执…): they are not fixture data, so they must not hide untranslated text.
        if not model.__module__.startswith("xinfang") or model._meta.label == "documents.DocumentTemplate":
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model.objects.values_list(*fields):
            stack = list(row)
            while stack:
                value = stack.pop()
                if isinstance(value, dict):
                    stack += list(value.values())
                elif isinstance(value, list):
                    stack += value
                elif isinstance(value, str) and HAN.search(value):
                    found.add(value.strip())
                    found.update(part.strip() for part in re.split(r"[\n\r]+", value) if part.strip())
    # Single characters (a case-number prefix such as 海) would blank out real UI words.
    return sorted((t for t in found if len(t) > 1), key=len, reverse=True)


def leftover_chinese(page: str, ignore: list[str]) -> list[str]:
    """The visible text fragments of `page` that still contain Chinese once user data is removed."""
    page = LANGSWITCH.sub("", SCRIPT_STYLE.sub("", page))
    # Attribute values people see (placeholders, titles, labels) count as visible text.
    visible = re.findall(r'(?:placeholder|title|aria-label|alt|value)="([^"]*)"', page)
    visible += TAG.split(page)
    leftovers = []
    for chunk in visible:
        text = htmllib.unescape(chunk)
        text = CASE_NUMBER.sub("", text)
        for data in ignore:
            if data in text:
                text = text.replace(data, "")
        if HAN.search(text):
            leftovers.append(text.strip())
    return leftovers


@pytest.fixture
def scene(world):
    """One petition in handling, with an alert, a supervision notice, a leader's case ownership,
    a backlog entry and a commitment, so the detail pages have something to show."""
    from xinfang.alerts.models import AlertKind, Severity
    from xinfang.alerts.raising import raise_alert
    from xinfang.ownership.actions import backlog_create, ownership_assign
    from xinfang.ownership.models import BacklogSource
    from xinfang.supervision.actions import notice_issue
    from xinfang.supervision.models import Trigger
    from xinfang.testing import advance, make_petition

    petition = make_petition(world)
    advance(petition, world, to="handling")
    petition.refresh_from_db()
    alert = raise_alert(
        dedupe_key="english-test",
        kind=AlertKind.OVERDUE,
        title="办理超期：小区物业乱收停车费",
        petitions=[petition],
        petition=petition,
        unit=petition.handling_unit,
        severity=Severity.CRITICAL,
    )
    notice = notice_issue(
        actor=world.supervisor,
        unit=petition.handling_unit,
        trigger=Trigger.OVERDUE,
        facts="该件超期未办结，请说明原因。",
        petition=petition,
    )
    ownership = ownership_assign(
        actor=world.bureau_leader,
        petition=petition,
        leader=world.bureau_leader,
        plan="约谈物业公司，督促退费。",
        milestones=[("见面听取诉求", timezone.localdate() + timedelta(days=7))],
    )
    backlog = backlog_create(
        actor=world.bureau_leader,
        petition=petition,
        source=BacklogSource.SELF,
        owner=world.bureau_leader,
        target_date=timezone.localdate() + timedelta(days=90),
    )
    return {
        "petition": reverse("petition", args=[petition.pk]),
        "statistics": reverse("stats:home"),
        "alert centre": reverse("alerts:list"),
        "alert": reverse("alerts:detail", args=[alert.pk]),
        "supervision notice": reverse("supervision:detail", args=[notice.pk]),
        "case ownership": reverse("ownership:detail", args=[ownership.pk]),
        "backlog case": reverse("ownership:backlog_detail", args=[backlog.pk]),
        "backlog list": reverse("ownership:backlog"),
    }


def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def persona_names(world) -> list[str]:
    return [
        name
        for name in vars(world)
        if hasattr(getattr(world, name), "role")
        and getattr(world, name).role
        and getattr(world, name).is_active
    ]


def test_every_menu_page_of_every_role_is_in_english(client, world, scene):
    ignore = stored_texts()
    english(client)
    problems = {}
    for name in persona_names(world):
        user = getattr(world, name)
        client.force_login(user)
        for item in items_for(user):
            response = client.get(item["url"], follow=True)
            # A menu entry may lead to a refusal page (e.g. for the user without a unit);
            # that page must be in English too.
            assert response.status_code in (200, 403, 404), (name, item["url"])
            assert '<html lang="en">' in response.content.decode()
            left = leftover_chinese(response.content.decode(), ignore)
            if left:
                problems[f"{name} {item['url']}"] = sorted(set(left))
    assert not problems, pprint.pformat(problems)


@pytest.mark.parametrize(
    "page",
    [
        "petition",
        "statistics",
        "alert centre",
        "alert",
        "supervision notice",
        "case ownership",
        "backlog case",
        "backlog list",
    ],
)
def test_detail_pages_are_in_english(client, world, scene, page):
    ignore = stored_texts()
    english(client).force_login(world.bureau_leader)
    response = client.get(scene[page])
    assert response.status_code == 200
    left = leftover_chinese(response.content.decode(), ignore)
    assert not left, pprint.pformat(left)


def test_the_check_finds_an_untranslated_label():
    """The page check is not vacuous: Chinese UI text that is not user data is reported."""
    page = "<html><body><h1>Statistics</h1><th>未翻译的标签</th><td>张三</td></body></html>"
    assert leftover_chinese(page, ["张三"]) == ["未翻译的标签"]


def test_admin_index_and_changelist_name_apps_and_fields_in_english(client, world, scene):
    admin_user = world.admin
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    english(client).force_login(admin_user)
    index = client.get("/admin/").content.decode()
    for heading in (
        "Early warning",
        "Supervision and accountability",
        "Petition hearings",
        "Accounts and roles",
    ):
        assert heading in index
    changelist = client.get(reverse("admin:alerts_alert_changelist")).content.decode()
    assert "Created at" in changelist
    assert "Created at".upper() not in changelist and "created at" not in changelist
    ignore = stored_texts()
    assert leftover_chinese(index, ignore) == []
    assert leftover_chinese(changelist, ignore) == []


def test_chinese_ui_is_unchanged(client, world, scene):
    client.force_login(world.bureau_leader)
    page = client.get(scene["statistics"]).content.decode()
    for label in ("全区信访统计", "考核指标", "及时受理率", "按渠道"):
        assert label in page
    assert "Performance indicators" not in page
    page = client.get(scene["supervision notice"]).content.decode()
    assert "被督办单位" in page and "Supervised unit" not in page


def test_action_errors_follow_the_active_language(world):
    from django.utils import translation

    from xinfang.petitions.errors import ActionError, Forbidden
    from xinfang.supervision.actions import notice_issue
    from xinfang.supervision.models import Trigger

    cases = (
        ("en", "Please fill in the required fields", "Please describe the matter under supervision"),
        ("zh-hans", "请填写必填项", "请填写督办事项"),
    )
    for language, summary, field_message in cases:
        with translation.override(language):
            with pytest.raises(ActionError) as raised:
                notice_issue(actor=world.supervisor, unit=world.town_a, trigger=Trigger.OVERDUE, facts=" ")
            assert raised.value.message == summary
            assert raised.value.fields == {"facts": field_message}
    with translation.override("en"):
        assert Forbidden().message == "You are not allowed to do this"
    assert Forbidden().message == "您无权执行此操作"


def test_javascript_strings_are_translated(client):
    """The scripts take their text from Django's JavaScript catalogue, complete in English."""
    from pathlib import Path

    from xinfang.web.tests.test_i18n_en import LC_MESSAGES, read_po

    entries = read_po(LC_MESSAGES / "djangojs.po")
    assert entries
    assert [e["msgid"] for e in entries if e["fuzzy"] or not all(e["msgstr"])] == []
    scripts = Path(settings.BASE_DIR) / "static" / "xinfang" / "js"
    for script in scripts.glob("*.js"):
        for line in script.read_text(encoding="utf-8").splitlines():
            code = re.sub(r'gettext\("[^"]*"\)', "", line.split("//")[0])
            assert not HAN.search(code), (script.name, line)
    english(client)
    catalogue = client.get(reverse("javascript-catalog")).content.decode()
    assert "Triage failed" in catalogue and "Routing catalogue mode" in catalogue
    page = client.get("/login/").content.decode()
    assert reverse("javascript-catalog") in page
