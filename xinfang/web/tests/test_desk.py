"""The registration desk, the petitioner lookup and the receipt."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.audit.models import AuditAction, AuditLog
from xinfang.petitions.models import (
    Attachment,
    CaseSequence,
    Deadline,
    Petition,
    Petitioner,
    PetitionEvent,
    PetitionPetitioner,
)
from xinfang.testing import VALID_ID, make_petition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Valid GB 11643 check digits (computed with xinfang.lib.idcard.id_check_digit).
IDS = [
    "320706198001011236",
    "320706199002151235",
    "320706197512300019",
    "320706198808080013",
    "320706196503030016",
    "320706200001010014",
]


def desk_post(world, *, people, **overrides):
    data = {
        "channel": "visit",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "title": "小区停车费上涨",
        "request": "要求退还多收费用",
        "facts_reasons": "物业擅自提高停车费",
        "content": "朝阳小区三十余户业主反映物业公司擅自将停车费由每月100元提高到200元。",
        "town": world.town_a.pk,
        "place_address": "新海街道朝阳小区",
        "respondent_person": "",
        "category": world.subcategory.pk,
        "petition_class": "claim",
    }
    for i, person in enumerate(people):
        data[f"p-{i}-name"] = person["name"]
        data[f"p-{i}-kind"] = "person"
        data[f"p-{i}-id_number"] = person.get("id_number", "")
        data[f"p-{i}-phone"] = person.get("phone", "")
        data[f"p-{i}-address"] = person.get("address", "")
        if person.get("rep"):
            data[f"p-{i}-rep"] = "1"
    data.update(overrides)
    return data


def counts() -> dict:
    models = (Petition, Petitioner, PetitionPetitioner, PetitionEvent, Deadline, Attachment)
    result = {m.__name__: m.objects.count() for m in models}
    result["seq"] = sum(CaseSequence.objects.values_list("last", flat=True))
    return result


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_desk_page_renders_for_registrar(world, login):
    response = login(world.registrar).get("/desk/")
    assert response.status_code == 200
    body = response.text
    assert 'name="p-0-name"' in body and 'accesskey="s"' in body
    assert 'type="datetime-local"' in body


def test_desk_refused_to_hearing_member_and_needs_login(world, client, login):
    assert client.get("/desk/").status_code == 302
    assert login(world.hearing_member).get("/desk/").status_code == 403


def test_desk_registers_collective_visit_with_three_petitioners_and_attachment(world, login, settings):
    client = login(world.registrar)
    people = [
        {"name": "张三", "id_number": IDS[0], "phone": "13812345678", "address": "朝阳小区1栋", "rep": True},
        {"name": "李四", "id_number": IDS[1], "rep": True},
        {"name": "王五", "phone": "13900001111"},
    ]
    data = desk_post(world, people=people, head_count="32")
    data["attachments"] = [SimpleUploadedFile("收费公示.pdf", PDF, content_type="application/pdf")]
    response = client.post("/desk/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    petition = Petition.objects.get()
    assert response["Location"] == f"/petitions/{petition.pk}/receipt/"
    assert petition.head_count == 32 and petition.is_collective
    assert petition.registered_by == world.registrar
    links = list(petition.petitioner_links.select_related("petitioner").order_by("order"))
    assert [link.petitioner.name for link in links] == ["张三", "李四", "王五"]
    assert [link.is_representative for link in links] == [True, True, False]
    attachment = petition.attachments.get()
    assert attachment.original_name == "收费公示.pdf" and attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == world.registrar

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert petition.case_number in receipt.text
    assert "信访事项登记回执" in receipt.text
    assert f"/documents/rights-card/{petition.pk}.pdf?layout=card" in receipt.text
    code = receipt.context["query_code"]
    assert len(code) == 8 and petition.check_query_code(code) and code in receipt.text
    assert IDS[0] not in receipt.text


def test_receipt_shows_query_code_only_to_the_registrar_who_just_registered(world, login):
    client = login(world.registrar)
    response = client.post("/desk/", desk_post(world, people=[{"name": "张三", "id_number": IDS[0]}]))
    url = response["Location"]
    assert client.get(url).context["query_code"]
    other = login(world.bureau_leader).get(url)
    assert other.status_code == 200 and other.context["query_code"] == ""


def test_desk_shows_chinese_error_next_to_bad_id_number(world, login):
    before = counts()
    bad = IDS[0][:-1] + ("7" if IDS[0][-1] != "7" else "8")
    people = [{"name": "张三", "id_number": IDS[1]}, {"name": "李四", "id_number": bad}]
    response = login(world.registrar).post("/desk/", desk_post(world, people=people))
    assert response.status_code == 200
    assert "身份证号码格式或校验位不正确" in response.text
    rows = response.context["rows"]
    assert "id_number" not in rows[0].errors
    assert rows[1].errors["id_number"] == "身份证号码格式或校验位不正确"
    assert 'id="p-1-id_number_error"' in response.text
    # The typed values come back so nothing has to be retyped.
    assert f'value="{bad}"' in response.text
    assert counts() == before


def test_desk_refuses_six_representatives_with_chinese_errors_on_their_rows(world, login):
    before = counts()
    people = [{"name": f"代表{i}", "id_number": IDS[i], "rep": True} for i in range(6)]
    response = login(world.registrar).post("/desk/", desk_post(world, people=people))
    assert response.status_code == 200
    assert "推选代表不得超过5人" in response.text
    rows = response.context["rows"]
    assert len(rows) == 6 and all(row.errors.get("is_representative") for row in rows)
    assert counts() == before


def test_desk_requires_title_and_a_petitioner(world, login):
    response = login(world.registrar).post("/desk/", desk_post(world, people=[], title=""))
    assert response.status_code == 200
    assert "请至少填写一名信访人" in response.text
    assert response.context["form"].errors["title"]
    assert Petition.objects.count() == 0


@pytest.mark.parametrize("case", ["type", "size"])
def test_desk_writes_nothing_when_an_attachment_is_rejected(world, login, settings, case):
    if case == "size":
        settings.ATTACHMENT_MAX_BYTES = 100
        bad = SimpleUploadedFile("大文件.pdf", PDF + b"0" * 200, content_type="application/pdf")
        message = "文件过大"
    else:
        bad = SimpleUploadedFile("程序.exe", b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf")
        message = "类型不支持"
    good = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    if case == "size":
        good = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, content_type="image/png")
    before = counts()
    data = desk_post(world, people=[{"name": "张三", "id_number": IDS[0]}])
    data["attachments"] = [good, bad]
    response = login(world.registrar).post("/desk/", data)
    assert response.status_code == 200
    assert message in response.text
    assert response.context["loose"]["attachments"].startswith(bad.name)
    assert counts() == before
    # The file stored before the refused one was removed again.
    assert stored_files(settings) == []


def test_desk_treats_garbage_input_as_field_errors(world, login):
    data = desk_post(
        world, people=[{"name": "张三"}], town="abc", head_count="-3", received_at="明天", channel="pigeon"
    )
    response = login(world.registrar).post("/desk/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"town", "head_count", "received_at", "channel"} <= set(errors)
    assert Petition.objects.count() == 0


def test_lookup_audits_and_never_returns_the_plain_id_or_phone(world, login):
    earlier = make_petition(world)
    client = login(world.registrar)
    before = AuditLog.objects.filter(action=AuditAction.LOOKUP).count()
    response = client.get("/desk/lookup", {"id_number": VALID_ID})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert VALID_ID not in body and "13812345678" not in body
    data = json.loads(body)
    [person] = data["results"]
    assert person["name"] == "张三"
    assert person["id_number_masked"] == "320***********1236"
    assert person["petition_count"] == 1
    assert person["petitions"][0]["case_number"] == earlier.case_number
    rows = AuditLog.objects.filter(action=AuditAction.LOOKUP)
    assert rows.count() == before + 1
    assert rows.latest("at").user == world.registrar
    assert VALID_ID not in rows.latest("at").detail

    by_phone = json.loads(client.get("/desk/lookup", {"phone": "138-1234-5678"}).content)
    assert [p["name"] for p in by_phone["results"]] == ["张三"]
    assert "13812345678" not in json.dumps(by_phone)


def test_lookup_limits_history_to_what_the_user_may_see(world, login):
    make_petition(world)  # registered at the bureau: town B cannot see it
    response = login(world.handler_b).get("/desk/lookup", {"id_number": VALID_ID})
    assert json.loads(response.content)["results"] == []


def test_lookup_rejects_bad_input_and_outsiders(world, login, client):
    assert client.get("/desk/lookup", {"id_number": VALID_ID}).status_code == 302
    c = login(world.registrar)
    assert c.get("/desk/lookup", {"id_number": "123"}).status_code == 400
    assert c.get("/desk/lookup").status_code == 400
    assert json.loads(c.get("/desk/lookup", {"phone": "abc"}).content)["error"] == "invalid"
    assert login(world.hearing_member).get("/desk/lookup", {"id_number": VALID_ID}).status_code == 403
