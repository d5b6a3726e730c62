"""A portal form posted twice gives one petition (issue 15): each rendered form carries a
one-time submission token, and the registration is idempotent on it."""

import re
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from xinfang.lib import crypto
from xinfang.notifications.models import Notification
from xinfang.petitions.housekeeping import expire_idempotency_keys
from xinfang.petitions.models import IdempotencyKey, Petition, Petitioner, PetitionEvent
from xinfang.portal import submit_token

from .conftest import solve_captcha, submission

pytestmark = pytest.mark.django_db
URL = "/portal/submit/"
TOKEN = re.compile(r'name="submit_token" value="([^"]+)"')
CASE = re.compile(r'<dt>信访件编号</dt><dd class="p-mono">([^<]+)</dd>')
CODE = re.compile(r'<dt>查询码</dt><dd class="p-mono p-code">([^<]+)</dd>')


def rendered_form(client) -> dict:
    """The form as the page gives it: its token and a solved captcha."""
    page = client.get(URL).content.decode()
    (token,) = TOKEN.findall(page)
    return {"submit_token": token, **solve_captcha()}


def receipt(response) -> tuple[str, str]:
    page = response.content.decode()
    return CASE.search(page).group(1), CODE.search(page).group(1)


def nothing_written() -> bool:
    return not (
        Petition.objects.exists()
        or PetitionEvent.objects.exists()
        or Petitioner.objects.exists()
        or IdempotencyKey.objects.exists()
        or Notification.objects.exists()
    )


@pytest.mark.parametrize("retry", ["same post resent", "captcha typed again"])
def test_a_form_posted_twice_gives_one_petition_and_the_same_receipt(
    client, world, retry, django_capture_on_commit_callbacks
):
    data = {**submission(world), **rendered_form(client)}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, data)
    assert first.status_code == 200
    # The browser resends the very same body (its captcha is spent), or the visitor,
    # told nothing, answers a new captcha on the same page.
    again = data if retry == "same post resent" else {**data, **solve_captcha()}
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(URL, again)
    assert second.status_code == 200
    petition = Petition.objects.get()
    assert (
        receipt(first) == receipt(second) == (petition.case_number, crypto.decrypt(petition.query_code_enc))
    )
    assert Notification.objects.filter(petition=petition, template="registered").count() == 1
    assert PetitionEvent.objects.filter(petition=petition).count() == 1


def test_the_token_is_stored_hashed_without_a_user(client, world):
    form = rendered_form(client)
    assert client.post(URL, {**submission(world), **form}).status_code == 200
    (key,) = IdempotencyKey.objects.all()
    assert key.user is None and key.petition == Petition.objects.get()
    assert form["submit_token"] not in key.key and key.key.startswith("portal:")


def test_every_render_has_its_own_token(client, world):
    first, second = rendered_form(client), rendered_form(client)
    assert first["submit_token"] != second["submit_token"]
    assert client.post(URL, {**submission(world), **first}).status_code == 200
    other = submission(world, phone="13911112222", content="另一件事：村口路灯损坏。")
    assert client.post(URL, {**other, **second}).status_code == 200
    assert Petition.objects.count() == 2


def test_a_form_shown_again_after_an_error_keeps_its_token(client, world):
    form = rendered_form(client)
    refused = client.post(URL, {**submission(world), **form, "captcha": "ZZZZ"})
    assert refused.status_code == 400
    assert TOKEN.findall(refused.content.decode()) == [form["submit_token"]]


def test_the_same_form_with_changed_content_is_not_registered_again(client, world):
    form = rendered_form(client)
    assert client.post(URL, {**submission(world), **form}).status_code == 200
    changed = {**submission(world, content="改过的内容：小区门口还有路灯不亮。"), **form, **solve_captcha()}
    response = client.post(URL, changed)
    assert response.status_code == 409
    page = response.content.decode()
    assert "这份表单已经提交并登记过" in page
    assert "改过的内容" in page  # what was typed is kept, on a fresh form
    (token,) = TOKEN.findall(page)
    assert token != form["submit_token"] and submit_token.usable(token)
    assert Petition.objects.count() == 1


def expired_token() -> str:
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 25 * 3600):
        return submit_token.issue()


@pytest.mark.parametrize("case", ["expired", "missing", "forged", "signed for something else"])
def test_an_expired_or_unknown_token_gives_a_chinese_message_and_a_fresh_form(client, world, case):
    token = {
        "expired": expired_token,
        "missing": lambda: "",
        "forged": lambda: submit_token.issue()[:-3] + "abc",
        "signed for something else": lambda: signing.dumps("x" * 32),
    }[case]()
    response = client.post(URL, {**submission(world), **solve_captcha(), "submit_token": token})
    assert response.status_code == 400
    page = response.content.decode()
    assert "本页面已失效（表单须在打开后24小时内提交），本次提交未被登记" in page
    assert "小区门口道路破损已半年" in page  # the text typed is not lost
    (fresh,) = TOKEN.findall(page)
    assert fresh != token and submit_token.usable(fresh)
    assert nothing_written()
    # The fresh form registers.
    assert (
        client.post(URL, {**submission(world), **solve_captcha(), "submit_token": fresh}).status_code == 200
    )
    assert Petition.objects.count() == 1


def test_an_expired_form_already_registered_still_answers_with_its_receipt(client, world, monkeypatch):
    data = {**submission(world), **rendered_form(client)}
    first = client.post(URL, data)
    monkeypatch.setattr(submit_token, "max_age_seconds", lambda: -1)
    second = client.post(URL, data)
    assert second.status_code == 200 and receipt(second) == receipt(first)
    assert Petition.objects.count() == 1


def test_used_portal_tokens_expire_with_the_api_keys(client, world, settings):
    assert client.post(URL, {**submission(world), **rendered_form(client)}).status_code == 200
    later = timezone.now() + timedelta(days=settings.IDEMPOTENCY_KEY_DAYS, seconds=1)
    assert expire_idempotency_keys(later) == 1
    assert submit_token.max_age_seconds() <= settings.IDEMPOTENCY_KEY_DAYS * 86400


def _race(world, bodies: list[dict]) -> list:
    responses: list = []
    barrier = threading.Barrier(len(bodies))

    def post(body: dict, i: int) -> None:
        try:
            barrier.wait()
            responses.append(Client().post(URL, body, REMOTE_ADDR=f"10.0.2.{i}"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(body, i)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel requests: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_form_give_one_petition_and_one_receipt(world, settings):
    # Each racer passes the limits on its own (they are counted before the registration).
    settings.PORTAL_SUBMIT_PER_PHONE_DAY = 10
    token = submit_token.issue()
    bodies = [{**submission(world), **solve_captcha(), "submit_token": token} for _ in range(4)]
    responses = _race(world, bodies)
    petition = Petition.objects.get()
    expected = (petition.case_number, crypto.decrypt(petition.query_code_enc))
    assert [r.status_code for r in responses] == [200] * 4
    assert {receipt(r) for r in responses} == {expected}
    assert IdempotencyKey.objects.get().petition == petition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel requests: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_click_gives_one_petition(world):
    body = {**submission(world), **solve_captcha(), "submit_token": submit_token.issue()}
    responses = _race(world, [body, body])
    petition = Petition.objects.get()
    # Both carry one captcha: the click that lost it waits for the other's receipt.
    assert 200 in [r.status_code for r in responses]
    assert {receipt(r) for r in responses if r.status_code == 200} == {
        (petition.case_number, crypto.decrypt(petition.query_code_enc))
    }
