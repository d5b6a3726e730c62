import json
import logging
import urllib.error
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from xinfang.lib import crypto
from xinfang.notifications import delivery, worker
from xinfang.notifications.backends import DeliveryError, FileBackend, HttpSmsBackend
from xinfang.notifications.messages import notify_petitioners
from xinfang.notifications.models import Notification, NotificationStatus
from xinfang.petitions import actions
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db
PHONE = "13812345678"  # the default petitioner of make_petition


class FlakyBackend:
    def __init__(self, failures: int):
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    def send_sms(self, recipient, body, *, ref):
        if self.failures:
            self.failures -= 1
            raise ConnectionError(f"gateway down while sending to {recipient}")
        self.sent.append((recipient, body))


def registered(world, captured, **kwargs):
    with captured(execute=True):
        return make_petition(world, **kwargs)


def without_registration_message(petition):
    """The petition with its registration message removed, for tests of other messages."""
    Notification.objects.filter(petition=petition, template="registered").delete()
    return petition


def test_registration_queues_sms_with_case_number_and_query_code(world, django_capture_on_commit_callbacks):
    petition = registered(world, django_capture_on_commit_callbacks)
    n = Notification.objects.get()
    code = crypto.decrypt(petition.query_code_enc)
    assert (n.channel, n.template, n.status, n.recipient_masked) == (
        "sms",
        "registered",
        "pending",
        "138****5678",
    )
    assert petition.case_number in n.body and code in n.body
    assert "/portal/lookup/?case=" in n.body
    assert code not in n.body_masked and PHONE not in n.recipient_enc


def test_no_message_before_commit(world, django_capture_on_commit_callbacks):
    petition = make_petition(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        advance(petition, world, to="routed")
    assert callbacks and not Notification.objects.exclude(template="registered").exists()


def test_registration_message_commits_with_the_registration(world, django_capture_on_commit_callbacks):
    # Queued in the registration's own transaction once the number is taken: no hook to
    # lose to a kill between the commit and the hook, and nothing left by a rollback.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        petition = make_petition(world)
    assert not callbacks
    (n,) = Notification.objects.filter(petition=petition)
    assert n.template == "registered" and n.event == petition.events.get()
    assert petition.case_number in n.body and not petition.case_number.startswith("TMP-")

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        make_petition(world, title="回滚的事项")
        raise Rollback
    assert Notification.objects.count() == 1


def test_workflow_events_queue_the_right_templates(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = advance(make_petition(world), world, to="handling")
        actions.note_add(actor=world.handler_a, petition=petition, text="内部备注")
        actions.petition_extend(actor=world.leader_a, petition=petition, days=15, reason="需要补充调查")
    templates = list(Notification.objects.order_by("pk").values_list("template", flat=True))
    assert templates == ["registered", "transferred", "accepted", "extended"]
    extended = Notification.objects.get(template="extended")
    assert "15日" in extended.body and "需要补充调查" in extended.body
    assert "新海街道" in Notification.objects.get(template="transferred").body


def test_queue_failure_never_breaks_the_action(
    world, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def boom(*args, **kwargs):
        raise RuntimeError(f"template failed for {PHONE}")

    monkeypatch.setattr("xinfang.notifications.events.messages_for", boom)  # in the registration
    monkeypatch.setattr("xinfang.notifications.events.notify_petitioners", boom)  # the hook after it
    with caplog.at_level(logging.ERROR, logger="xinfang.notifications"):
        petition = registered(world, django_capture_on_commit_callbacks)
    assert petition.pk and not Notification.objects.exists()
    assert "notification queue failed" in caplog.text
    assert PHONE not in caplog.text


def test_email_and_landline_recipients(world):
    petition = make_petition(
        world,
        petitioners=[
            actions.PetitionerInput(name="甲", phone="0518-85812345", email="jia@example.com"),
            actions.PetitionerInput(name="乙", phone="13900001111"),
        ],
    )
    created = notify_petitioners(without_registration_message(petition), "closed", {})
    assert sorted((n.channel, n.recipient_masked) for n in created) == [
        ("email", "j***@example.com"),
        ("sms", "139****1111"),
    ]  # no SMS to a landline
    delivery.deliver_due(10, backend=FlakyBackend(0))
    assert len(mail.outbox) == 1 and petition.case_number in mail.outbox[0].subject


def test_failed_delivery_retried_with_backoff_then_sent(world, caplog):
    petition = without_registration_message(make_petition(world))
    (n,) = notify_petitioners(petition, "closed", {})
    backend = FlakyBackend(failures=1)
    with caplog.at_level(logging.INFO, logger="xinfang.notifications"):
        assert delivery.deliver_due(10, backend=backend) == 0
        n.refresh_from_db()
        assert (n.status, n.attempts) == (NotificationStatus.PENDING, 1)
        assert n.last_error == "ConnectionError" and PHONE not in n.last_error
        assert n.next_attempt_at > timezone.now() + timedelta(seconds=50)
        assert delivery.deliver_due(10, backend=backend) == 0  # not due yet
        Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
        assert delivery.deliver_due(10, backend=backend) == 1
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (NotificationStatus.SENT, 2, "")
    assert n.sent_at is not None
    assert backend.sent == [(PHONE, n.body)]
    assert f"id={n.pk}" in caplog.text and f"petition={petition.pk}" in caplog.text
    assert "138****5678" in caplog.text
    assert PHONE not in caplog.text and petition.case_number not in caplog.text


def test_gives_up_after_five_attempts(world):
    (n,) = notify_petitioners(make_petition(world), "closed", {})
    backend = FlakyBackend(failures=99)
    for attempt in range(1, 6):
        Notification.objects.filter(pk=n.pk).update(next_attempt_at=timezone.now())
        delivery.deliver_due(10, backend=backend)
        n.refresh_from_db()
        assert n.attempts == attempt
    assert n.status == NotificationStatus.FAILED
    assert delivery.backoff(1) < delivery.backoff(2) < delivery.backoff(4)


def test_claim_is_exclusive(world):
    (n,) = notify_petitioners(without_registration_message(make_petition(world)), "closed", {})
    assert delivery.claim(n.pk) is True
    assert delivery.claim(n.pk) is False  # a second worker gets nothing
    n.refresh_from_db()
    assert (n.status, n.attempts) == (NotificationStatus.SENDING, 1)
    backend = FlakyBackend(0)
    assert delivery.deliver_due(10, backend=backend) == 0 and backend.sent == []


def test_stale_claim_released(world):
    (n,) = notify_petitioners(make_petition(world), "closed", {})
    assert delivery.claim(n.pk)
    assert delivery.release_stale() == 0  # a live worker is still sending
    Notification.objects.filter(pk=n.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert delivery.release_stale() == 1
    n.refresh_from_db()
    assert n.status == NotificationStatus.PENDING


def test_run_once_sends_through_the_file_backend(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_BACKEND = "xinfang.notifications.backends.FileBackend"
    petition = registered(world, django_capture_on_commit_callbacks)
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    lines = [json.loads(line) for f in settings.NOTIFICATION_OUTBOX.glob("sms-*.jsonl") for line in f.open()]
    assert len(lines) == 1
    # Personal data on disk: the number masked, the text (with the query code) sealed.
    assert lines[0]["to"] == crypto.mask_phone(PHONE) and "text" not in lines[0]
    assert petition.case_number in crypto.decrypt(lines[0]["text_enc"])


def test_file_backend_writes_no_phone_number_or_query_code_in_clear(settings):
    FileBackend().send_sms("13812345678", "您的信访件海信〔2026〕00001号，查询码 K7P9Q2", ref="xf-1")
    (outbox,) = settings.NOTIFICATION_OUTBOX.glob("sms-*.jsonl")
    raw = outbox.read_text(encoding="utf-8")
    assert "13812345678" not in raw and "K7P9Q2" not in raw and "查询码" not in raw
    assert json.loads(raw)["to"] == "138****5678"


def test_file_backend_appends_lines(settings):
    FileBackend().send_sms("13800000000", "甲", ref="xf-1")
    FileBackend().send_sms("13800000001", "乙", ref="xf-2")
    (outbox,) = settings.NOTIFICATION_OUTBOX.glob("sms-*.jsonl")
    assert [json.loads(line)["ref"] for line in outbox.open()] == ["xf-1", "xf-2"]


class FakeResponse:
    def __init__(self, status):
        self.status = status

    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def test_http_backend_posts_json_with_bearer_token(settings, monkeypatch):
    settings.SMS_GATEWAY_URL = "https://sms.example.invalid/send"
    settings.SMS_GATEWAY_TOKEN = "tok123"
    seen = {}

    def fake_urlopen(request, timeout):
        seen.update(
            url=request.full_url,
            auth=request.get_header("Authorization"),
            timeout=timeout,
            body=json.loads(request.data),
        )
        return FakeResponse(202)

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    HttpSmsBackend().send_sms(PHONE, "您好", ref="xf-9")
    assert seen == {
        "url": "https://sms.example.invalid/send",
        "auth": "Bearer tok123",
        "timeout": 10,
        "body": {"to": PHONE, "text": "您好", "ref": "xf-9"},
    }


def test_http_backend_raises_on_error_status_without_personal_data(settings, monkeypatch):
    settings.SMS_GATEWAY_URL = "https://sms.example.invalid/send"

    def fail(request, timeout):
        raise urllib.error.HTTPError(request.full_url, 503, "busy", {}, None)

    monkeypatch.setattr("urllib.request.urlopen", fail)
    with pytest.raises(DeliveryError) as info:
        HttpSmsBackend().send_sms(PHONE, "您好", ref="xf-9")
    assert "503" in str(info.value) and PHONE not in str(info.value)
    monkeypatch.setattr("urllib.request.urlopen", lambda request, timeout: FakeResponse(302))
    with pytest.raises(DeliveryError):
        HttpSmsBackend().send_sms(PHONE, "您好", ref="xf-9")


def test_acknowledgement_lost_with_a_killed_request_is_queued_by_the_worker(world):
    from xinfang.petitions.models import PetitionEvent

    # Registered and committed by an older version, whose process died before its
    # after-commit hook queued the SMS (the message now commits with the registration).
    petition = without_registration_message(make_petition(world))
    worker.run_once()
    assert not Notification.objects.filter(petition=petition).exists()  # may still be on its way
    PetitionEvent.objects.filter(petition=petition).update(at=timezone.now() - timedelta(minutes=6))
    worker.run_once()
    worker.run_once()
    assert Notification.objects.filter(petition=petition, template="registered").count() == 1
    assert Notification.objects.get(petition=petition).status == "sent"
