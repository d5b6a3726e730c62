"""Control characters are removed at every input, and outputs survive rows
stored before that (issue 13, finding 6)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from xinfang.accounts.models import ApiToken
from xinfang.documents.models import IssuedDocument
from xinfang.lib.text import clean_text, is_blank, spreadsheet_cell
from xinfang.petitions.models import Petition
from xinfang.testing import VALID_ID, advance, make_petition

from .test_desk import desk_post

pytestmark = pytest.mark.django_db

DIRTY_TITLE = "路灯\x07不亮\x1b[0m\x00"


def test_clean_text_keeps_tabs_and_newlines_only_where_asked():
    assert clean_text("a\x00b\x07c\x1b[0m\x7f\x85") == "abc[0m"
    assert clean_text("第一行\r\n\t第二行\x0b") == "第一行  第二行"
    assert clean_text("第一行\r\n\t第二行\x0b", multiline=True) == "第一行\n\t第二行"
    assert is_blank("\u200b\u200c\u200d\ufeff \n") and not is_blank("\u200b字")
    assert spreadsheet_cell(" \u3000=1+2") == "' \u3000=1+2" and spreadsheet_cell(5) == 5


def test_api_intake_strips_control_characters(world):
    token = ApiToken.issue(world.registrar, "测试")[1]
    body = {
        "channel": "visit",
        "title": DIRTY_TITLE,
        "content": "第一段\x00\n\t第二段\x1b",
        "petitioners": [{"name": "张\x07三", "id_number": VALID_ID, "phone": "13812345678"}],
    }
    response = Client().post(
        "/api/v1/petitions",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    petition = Petition.objects.get(pk=response.json()["id"])
    assert petition.title == "路灯不亮[0m"
    assert petition.content == "第一段\n\t第二段"
    assert petition.petitioner_links.get().petitioner.name == "张三"


def test_desk_form_strips_control_characters_and_keeps_line_breaks(world, client):
    client.force_login(world.registrar)
    data = desk_post(world, people=[{"name": "李\x00四", "id_number": VALID_ID}])
    data.update(title=DIRTY_TITLE, content="第一段\x07\n\t第二段，物业擅自提高停车费。")
    response = client.post("/desk/", data)
    assert response.status_code in {200, 302}, response.content[:500]
    petition = Petition.objects.get(title="路灯不亮[0m")
    assert petition.content == "第一段\n\t第二段，物业擅自提高停车费。"


def test_transfer_of_a_petition_whose_title_came_with_nul_works(world, client):
    token = ApiToken.issue(world.registrar, "测试")[1]
    body = {
        "channel": "visit",
        "title": "路灯\x00不亮",
        "content": "路灯坏了\x00三个月",
        "petitioners": [{"name": "张三", "id_number": VALID_ID}],
    }
    created = Client().post(
        "/api/v1/petitions",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201
    client.force_login(world.registrar)
    pk = created.json()["id"]
    response = client.post(
        f"/petitions/{pk}/act/transfer/", {"unit": world.town_a.pk, "reason": "属地\x00处理"}
    )
    assert response.status_code == 302
    assert Petition.objects.get(pk=pk).status == "routed"


def test_docx_of_a_document_stored_with_control_characters_downloads(world, client):
    petition = advance(make_petition(world), world, to="handling")
    document = IssuedDocument.objects.filter(petition=petition).first()
    dirty = "路灯\x07不亮\x1b[0m"
    IssuedDocument.objects.filter(pk=document.pk).update(
        title=dirty, body_text=document.body_text + "\n" + dirty
    )
    client.force_login(world.registrar)
    response = client.get(f"/documents/{document.pk}.docx")
    assert response.status_code == 200 and response.content.startswith(b"PK")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL cannot store the characters")
def test_exports_survive_titles_stored_before_cleaning(world, client):
    petition = make_petition(world)
    Petition.objects.filter(pk=petition.pk).update(title="路灯\x07不亮\x00")
    client.force_login(world.registrar)
    assert client.get("/inbox/export.xlsx").status_code == 200
