import io
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.lib import crypto
from xinfang.notifications.models import Notification
from xinfang.petitions.choices import Channel, OnlineSource, Status
from xinfang.petitions.models import Attachment, Petition
from xinfang.portal import captcha
from xinfang.portal.models import CaptchaChallenge

from .conftest import solve_captcha, submission

pytestmark = pytest.mark.django_db
URL = "/portal/submit/"


def post(client, world, *, captcha_fields=None, ip="10.0.0.1", **overrides):
    data = {**submission(world, **overrides), **(captcha_fields or solve_captcha(client))}
    return client.post(URL, data, REMOTE_ADDR=ip)


def test_submit_registers_online_portal_petition_and_queues_notification(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, world, email="wxm@example.com")
    assert response.status_code == 200
    petition = Petition.objects.get()
    assert petition.channel == Channel.ONLINE
    assert petition.source == OnlineSource.PORTAL
    assert petition.registering_unit == world.bureau
    assert petition.status == Status.REGISTERED
    assert petition.registered_by is None
    assert petition.town == world.town_a
    assert petition.title == "请求修复小区门口破损路面"
    petitioner = petition.petitioners.get()
    assert petitioner.phone_masked == "139****5678"
    assert "13912345678" not in petitioner.phone_enc
    assert crypto.decrypt(petitioner.phone_enc) == "13912345678"
    assert crypto.decrypt(petitioner.id_number_enc) == "320706198001011236"
    body = response.content.decode()
    assert petition.case_number in body
    code = crypto.decrypt(petition.query_code_enc)
    assert code in body
    assert "只显示这一次" in body
    assert response["Cache-Control"] == "no-store"
    sms = Notification.objects.get(petition=petition, channel="sms")
    assert sms.template == "registered"
    assert code in sms.body and petition.case_number in sms.body
    assert code not in sms.body_masked
    assert sms.recipient == "13912345678"
    assert Notification.objects.filter(petition=petition, channel="email").count() == 1


def test_submit_page_shows_only_an_image_captcha(client, world):
    # The arithmetic alternative was plain text in the page and could be asked for
    # with ?captcha=text (the old tests asserted both).
    for page in (
        client.get(URL).content.decode(),
        client.get(URL + "?captcha=text").content.decode(),
        client.post(URL, {**submission(world), "captcha_switch": "text"}).content.decode(),
    ):
        assert 'src="data:image/png;base64,' in page
        assert "等于几" not in page and "算术题" not in page


def test_new_image_keeps_what_was_typed(client, world):
    page = client.post(URL, {**submission(world), "captcha_switch": "image"}).content.decode()
    assert "请求修复小区门口破损路面" in page


def test_submit_stores_attachments_in_the_same_transaction(client, world):
    pdf = SimpleUploadedFile("照片.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = post(client, world, attachments=[pdf])
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.petition == Petition.objects.get()
    assert attachment.is_public and attachment.uploaded_by is None


def test_rejected_attachment_leaves_no_petition(client, world):
    exe = SimpleUploadedFile("a.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = post(client, world, attachments=[exe])
    assert response.status_code == 400
    assert "附件类型不支持" in response.content.decode() or "类型不支持" in response.content.decode()
    assert Petition.objects.count() == 0


@pytest.mark.parametrize("case", ["wrong", "expired", "reused", "missing"])
def test_bad_captcha_refused(client, world, case):
    fields = solve_captcha(client)
    if case == "wrong":
        fields["captcha"] = "ZZZZ"
    elif case == "expired":
        CaptchaChallenge.objects.filter(pk=fields["captcha_id"]).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif case == "reused":
        assert post(client, world, captcha_fields=fields).status_code == 200
    elif case == "missing":
        fields["captcha_id"] = "nope"
    response = post(client, world, captcha_fields=fields, phone="13700000000", id_number="11010519491231002X")
    assert response.status_code == 400
    expected = {
        "wrong": "验证码不正确",
        "expired": "验证码已过期",
        "reused": "验证码已失效",
        "missing": "验证码已失效",
    }
    assert expected[case] in response.content.decode()
    assert Petition.objects.count() == (1 if case == "reused" else 0)


def test_wrong_answer_consumes_the_challenge(client, world):
    fields = solve_captcha(client)
    post(client, world, captcha_fields={**fields, "captcha": "ZZZZ"})
    response = post(client, world, captcha_fields=fields)
    assert "验证码已失效" in response.content.decode()
    assert Petition.objects.count() == 0


def test_submissions_limited_per_ip(client, world):
    for i in range(5):
        phone = f"1391234{i:04d}"
        assert post(client, world, phone=phone).status_code == 200
    response = post(client, world, phone="13811112222")
    assert response.status_code == 429
    assert "每小时最多提交5件" in response.content.decode()
    assert Petition.objects.count() == 5
    assert post(client, world, phone="13811112222", ip="10.0.0.2").status_code == 200


def test_submissions_limited_per_phone(client, world):
    for i in range(3):
        assert post(client, world, ip=f"10.0.1.{i}").status_code == 200
    response = post(client, world, ip="10.0.1.99")
    assert response.status_code == 429
    assert "同一手机号码每天最多提交3件" in response.content.decode()
    assert Petition.objects.count() == 3


def test_validation_errors_in_chinese(client, world):
    response = post(
        client,
        world,
        name="",
        id_number="320706198001011234",
        phone="12345",
        email="bad",
        request="",
        town="",
        truthful="",
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "此项为必填项",
        "身份证号码格式或校验位不正确",
        "电话号码格式不正确",
        "电子邮箱格式不正确",
        "请阅读并勾选承诺",
        "提交的信息有误",
    ):
        assert message in page
    assert "This field" not in page
    assert Petition.objects.count() == 0


def test_home_states_the_rules(client, world):
    page = client.get("/portal/").content.decode()
    for text in (
        "代表人数不得超过5人",
        "政法部门",
        "15日",
        "60日",
        "30日",
        "携带危险物品",
        "姓名（名称）、住址",
    ):
        assert text in page
    assert reverse("portal:submit") in page
    assert "//cdn" not in page and "<script" not in page


def test_captcha_image_renders_with_offline_font():
    png = captcha.render_png("ACE34")
    assert png.startswith(b"\x89PNG")
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size[1] == 64
    assert not set("0O1IL2Z5S8B") & set(captcha.ALPHABET)


def test_captcha_answer_is_not_in_the_page_or_the_database(client, world):
    page = client.get(URL).content.decode()
    (row,) = CaptchaChallenge.objects.all()
    assert row.id in page
    # Only the image and an HMAC: a parser of the page finds no answer.
    assert len(row.digest) == 64


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel requests: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_one_solved_challenge_is_accepted_once_under_parallel_posts(world):
    fields = solve_captcha(Client())
    results: list[int] = []
    barrier = threading.Barrier(6)

    def submit(i: int):
        try:
            data = {**submission(world, phone=f"1391234{i:04d}"), **fields}
            barrier.wait()
            response = Client().post(URL, data, REMOTE_ADDR=f"10.0.1.{i}")
            results.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 400, 400, 400, 400, 400]
    assert Petition.objects.count() == 1


def test_one_narrative_is_enough_and_gives_the_title(client, world):
    response = post(
        client,
        world,
        title="",
        request="",
        facts_reasons="",
        content="小区门口路面破损严重。多次反映无人修。",
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    petition = Petition.objects.get()
    assert petition.title == "小区门口路面破损严重"
    assert petition.request == "" and petition.facts_reasons == ""


def test_too_long_a_text_is_refused_in_chinese_not_cut_by_the_browser(client, world):
    page = client.get(URL).content.decode()
    assert 'maxlength="10000"' not in page
    response = post(client, world, content="路" * 20000)
    assert response.status_code == 400
    body = response.content.decode()
    assert "不能超过10000字（现有20000字）" in body
    assert 'aria-invalid="true"' in body
    assert not Petition.objects.exists()


def test_a_landline_is_accepted_but_promised_no_sms(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, world, phone="0518-85812345")
    assert response.status_code == 200
    body = response.content.decode()
    assert "通过短信" not in body
    assert "不能接收短信" in body
    assert not Notification.objects.filter(channel="sms").exists()
