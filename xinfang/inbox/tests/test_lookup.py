"""Exact lookups in the inbox search box: case numbers as written on paper,
phone numbers and ID numbers (audited)."""

from __future__ import annotations

import pytest

from xinfang.audit.models import AuditAction, AuditLog
from xinfang.inbox.lookup import case_number_candidates, person_kind
from xinfang.petitions.models import Petition
from xinfang.testing import make_petition


def test_person_kind_recognises_phones_and_id_numbers_as_typed():
    assert person_kind("138-0013-8000") == ("phone", "13800138000")
    assert person_kind("+86 13800138000") == ("phone", "13800138000")
    assert person_kind("０５１８－８５６２３４５６") == ("phone", "051885623456")
    assert person_kind("32070619900101123x") == ("id_number", "32070619900101123X")
    assert person_kind("停车费") is None
    assert person_kind("09245") is None


@pytest.mark.django_db
def test_case_number_in_any_common_form_finds_the_petition(world, client):
    petition = make_petition(world, title="小区停车位被占", content="物业公司擅自提高停车费。")
    make_petition(world, title="路灯不亮", content="幸福路路灯坏了。")
    number = petition.case_number  # e.g. 海信〔2026〕00001号
    prefix, rest = number.split("〔")
    year, tail = rest.split("〕")
    seq = tail.removesuffix("号")
    forms = [
        number,
        f"{prefix}({year}){seq}号",
        f"{prefix}（{year}）{seq}",
        f"{prefix}[{year}]{int(seq)}",
        f"({year}){seq}",
        seq,
        str(int(seq)),
    ]
    for form in forms:
        assert number in case_number_candidates(form), form
    client.force_login(world.registrar)
    for form in forms:
        page = client.get("/inbox/", {"view": "all", "q": form}).content.decode()
        assert number in page, form
        assert "路灯不亮" not in page, form


@pytest.mark.django_db
def test_phone_and_id_number_search_goes_through_the_keyed_hashes_and_is_audited(world, client):
    from xinfang.petitions.actions import PetitionerInput
    from xinfang.testing import VALID_ID

    petition = make_petition(
        world,
        title="拖欠工资",
        content="某公司拖欠工资三个月。",
        petitioners=[PetitionerInput(name="李四", id_number=VALID_ID, phone="13800138000")],
    )
    make_petition(
        world,
        title="路灯不亮",
        content="幸福路路灯坏了。",
        petitioners=[PetitionerInput(name="王五", phone="13900001111")],
    )
    client.force_login(world.registrar)
    for query in ("138 0013 8000", VALID_ID):
        before = AuditLog.objects.filter(action=AuditAction.LOOKUP).count()
        page = client.get("/inbox/", {"view": "all", "q": query}).content.decode()
        assert petition.case_number in page, query
        assert "路灯不亮" not in page, query
        assert AuditLog.objects.filter(action=AuditAction.LOOKUP).count() == before + 1
    # Nobody else's petition matches an unknown number, and the number is never logged.
    page = client.get("/inbox/", {"view": "all", "q": "13900000000"}).content.decode()
    assert petition.case_number not in page
    assert not AuditLog.objects.filter(detail__contains="13800138000").exists()
    assert Petition.objects.count() == 2
