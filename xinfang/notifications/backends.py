"""SMS gateways, chosen by settings.NOTIFICATION_BACKEND (a dotted class path).

A backend's `send_sms(recipient, body, *, ref)` returns on success and raises
DeliveryError (or any exception) on failure; the delivery loop retries.  Error
messages must not contain the recipient or the text: they are stored and logged.
E-mail goes through Django's mail (settings.EMAIL_BACKEND), see delivery.py.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from xinfang.lib.crypto import encrypt, mask_phone


class DeliveryError(Exception):
    """A delivery failed; the message is safe to store (no personal data)."""


class BaseBackend:
    def send_sms(self, recipient: str, body: str, *, ref: str) -> None:
        raise NotImplementedError


class FileBackend(BaseBackend):
    """Development and demo: one JSON line per message in NOTIFICATION_OUTBOX/sms-YYYYMMDD.jsonl.

    The file is personal data on disk: the number is masked and the text (which
    carries the query code) is sealed with the data key; read it back with
    xinfang.lib.crypto.decrypt(line["text_enc"])."""

    def send_sms(self, recipient: str, body: str, *, ref: str) -> None:
        outbox = Path(settings.NOTIFICATION_OUTBOX)
        outbox.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        line = json.dumps(
            {
                "ref": ref,
                "to": mask_phone(recipient),
                "text_enc": encrypt(body),
                "at": now.isoformat(timespec="seconds"),
            },
            ensure_ascii=False,
        )
        # One write of one line in append mode: concurrent workers do not interleave.
        with open(outbox / f"sms-{now:%Y%m%d}.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class ConsoleBackend(BaseBackend):
    """Prints messages to stdout (development only: the text includes the recipient)."""

    def send_sms(self, recipient: str, body: str, *, ref: str) -> None:
        sys.stdout.write(f"[SMS {ref}] to {recipient}: {body}\n")
        sys.stdout.flush()


class HttpSmsBackend(BaseBackend):
    """Production: POST {"to", "text", "ref"} as JSON to settings.SMS_GATEWAY_URL
    with `Authorization: Bearer settings.SMS_GATEWAY_TOKEN`; any non-2xx answer fails."""

    timeout = 10

    def send_sms(self, recipient: str, body: str, *, ref: str) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise DeliveryError("SMS_GATEWAY_URL 未配置")
        payload = json.dumps({"to": recipient, "text": body, "ref": ref}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"短信网关返回 HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"短信网关连接失败（{type(exc).__name__}）") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"短信网关返回 HTTP {status}")


def get_backend() -> BaseBackend:
    return import_string(settings.NOTIFICATION_BACKEND)()
