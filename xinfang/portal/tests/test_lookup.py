import time
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.lib import crypto
from xinfang.petitions import actions
from xinfang.petitions.models import PetitionEvent
from xinfang.portal import session as portal_session
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def open_case(client, petition, code=None, ip="10.9.0.1"):
    code = code or crypto.decrypt(petition.query_code_enc)
    return client.post(
        "/portal/lookup/", {"case_number": petition.case_number, "query_code": code}, REMOTE_ADDR=ip
    )


def test_lookup_form_prefills_case_number_from_rights_card_link(client, world):
    petition = make_petition(world)
    page = client.get("/portal/lookup/", {"case": petition.case_number}).content.decode()
    assert f'value="{petition.case_number}"' in page


def test_lookup_with_right_code_opens_case(client, world):
    petition = make_petition(world)
    response = open_case(client, petition, code=crypto.decrypt(petition.query_code_enc).lower())
    assert response.status_code == 302 and response["Location"] == "/portal/case/"
    page = client.get("/portal/case/").content.decode()
    assert petition.case_number in page
    assert "已登记" in page


def test_lookup_with_wrong_code_refused(client, world):
    petition = make_petition(world)
    response = open_case(client, petition, code="WRONGCODE")
    assert response.status_code == 400
    assert "信访件编号或查询码不正确" in response.content.decode()
    assert client.get("/portal/case/").status_code == 302


def test_failed_lookups_rate_limited_per_ip(client, world):
    petition = make_petition(world)
    for _ in range(10):
        assert open_case(client, petition, code="WRONGCODE").status_code == 400
    response = open_case(client, petition)  # even the right code is refused now
    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()

    # Strangers' failures do not lock the real petitioner out of the case
    # (the old test asserted that lock): a few seconds' delay at most.
    from xinfang.accounts.models import AttemptCounter

    slowed = open_case(client, petition, ip="10.9.0.2")
    assert slowed.status_code == 429 and "秒后再试" in slowed.content.decode()
    AttemptCounter.objects.update(last_at=timezone.now() - timedelta(seconds=61))
    assert open_case(client, petition, ip="10.9.0.2").status_code == 302


def test_failed_lookups_of_other_cases_do_not_lock_a_fresh_address(client, world):
    petition = make_petition(world)
    for _ in range(10):
        open_case(client, petition, code="WRONGCODE")
    other = make_petition(world, title="另一件")
    assert open_case(client, other, ip="10.9.0.3").status_code == 302


def test_public_timeline_excludes_notes_staff_names_and_internal_events(client, world):
    petition = make_petition(world)
    actions.note_add(actor=world.registrar, petition=petition, text="内部备注XYZZY-机密")
    petition = advance(petition, world, to="handling")
    actions.petition_extend(actor=world.leader_a, petition=petition, days=20, reason="需要实地勘验")
    PetitionEvent.objects.create(petition=petition, action="note", reason="非公开事件QUUX", is_public=False)
    other = make_petition(world, petitioners=[actions.PetitionerInput(name="李四邻居", phone="13700001111")])
    open_case(client, petition)
    page = client.get("/portal/case/").content.decode()
    assert "XYZZY" not in page and "QUUX" not in page
    for staff in ("登记员小王", "新海承办人", "新海街道负责人"):
        assert staff not in page
    assert "李四邻居" not in page and other.case_number not in page
    assert "转送至新海街道" in page
    assert "新海街道已受理" in page
    assert "办理期限延长20日" in page and "需要实地勘验" in page
    assert "办结" in page  # the conclusion deadline applies
    assert "第三十四条" in page


def test_verified_case_expires(client, world):
    petition = make_petition(world)
    open_case(client, petition)
    session = client.session
    session[portal_session.SESSION_KEY]["exp"] = time.time() - 1
    session.save()
    response = client.get("/portal/case/")
    assert response.status_code == 302 and response["Location"] == "/portal/lookup/"


def test_reset_query_code_locks_open_sessions(client, world):
    petition = make_petition(world)
    open_case(client, petition)
    petition.set_query_code("NEWCODE9")
    petition.save(update_fields=["query_code_hash", "query_code_enc"])
    assert client.get("/portal/case/").status_code == 302


def test_public_documents_downloadable_only_from_the_opened_case(client, world):
    from django.apps import apps

    if not apps.is_installed("xinfang.documents"):
        pytest.skip("documents app not installed")
    from xinfang.documents.models import IssuedDocument

    petition = make_petition(world)
    other = make_petition(world, title="另一件")
    common = {
        "issued_by": world.registrar,
        "issuing_unit": world.bureau,
        "body_text": "正文",
        "kind": "acceptance_notice",
    }
    public = IssuedDocument.objects.create(
        petition=petition, number="海信告〔2026〕1号", title="告知书", **common
    )
    hidden = IssuedDocument.objects.create(
        petition=petition, number="海信告〔2026〕2号", title="内部", is_public=False, **common
    )
    foreign = IssuedDocument.objects.create(
        petition=other, number="海信告〔2026〕3号", title="他人", **common
    )
    assert client.get(f"/portal/case/documents/{public.pk}/").status_code == 302
    open_case(client, petition)
    page = client.get("/portal/case/").content.decode()
    assert "海信告〔2026〕1号" in page and "海信告〔2026〕2号" not in page
    download = client.get(f"/portal/case/documents/{public.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert client.get(f"/portal/case/documents/{hidden.pk}/").status_code == 404
    assert client.get(f"/portal/case/documents/{foreign.pk}/").status_code == 404


def test_leave_forgets_the_case(client, world):
    petition = make_petition(world)
    open_case(client, petition)
    client.post("/portal/case/leave/")
    assert client.get("/portal/case/").status_code == 302


def test_deadline_dates_shown(client, world):
    petition = make_petition(world, received_at=timezone.now() - timedelta(days=1))
    open_case(client, petition)
    page = client.get("/portal/case/").content.decode()
    assert "信访部门转送" in page
    due = petition.deadlines.get(rule="route").due
    assert f"{due.year}年{due.month}月{due.day}日" in page


def test_portal_dates_read_in_one_chinese_format():
    from datetime import date

    from xinfang.portal.public import chinese_date

    assert chinese_date("2027-03-08") == "2027年3月8日"
    assert chinese_date(date(2027, 3, 8)) == "2027年3月8日"
