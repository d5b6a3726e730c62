"""Queueing messages to petitioners from the Chinese templates.

Templates live at templates/notifications/<key>.txt; one text serves SMS and
e-mail.  Each message is stored twice: encrypted in full (for sending) and
with the query code masked (for staff and logs).
"""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string

from xinfang.lib import crypto
from xinfang.lib.idcard import is_mobile
from xinfang.portal.links import public_url
from xinfang.units.places import bureau_of_petition

from .models import Notification, NotificationChannel

TEMPLATES = {
    "registered": "信访事项已登记（编号、查询码）",
    "transferred": "已转送、交办",
    "accepted": "已受理",
    "rejected": "不予受理、不再受理",
    "diverted": "导入法定途径",
    "extended": "办理期限延长",
    "opinion_issued": "已出具处理意见",
    "review_requested": "已收到复查、复核请求",
    "closed": "已办结",
    "document_sent": "文书送达链接",
}

MASKED_CODE = "********"


def lookup_url(case_number: str) -> str:
    """The public lookup page, prefilled with the case number (never the query code)."""
    return public_url("portal:lookup", case=case_number)


def render_message(key: str, context: dict) -> str:
    if key not in TEMPLATES:
        raise ValueError(f"unknown notification template {key!r}")
    return render_to_string(f"notifications/{key}.txt", context).strip()


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def base_context(petition) -> dict:
    # The SMS signature names the petitioner's bureau (the one holding the matter),
    # never the top of the tree nor a unit that happened to register it.
    bureau = bureau_of_petition(petition)
    return {
        "bureau": bureau.name if bureau is not None else petition.registering_unit.name,
        "case_number": petition.case_number,
        "lookup_url": lookup_url(petition.case_number),
    }


def _recipients(petition, people=None) -> list[tuple[str, str, str]]:
    """(channel, recipient, masked) for every petitioner with a mobile phone or e-mail;
    `people` are the petition's petitioners in order when the caller has them loaded."""
    result: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    if people is None:
        links = petition.petitioner_links.select_related("petitioner").order_by("order")
        people = [link.petitioner for link in links]
    for person in people:
        # The system sends on the petitioner's behalf: no staff member reads the
        # number, so this decryption is not an audited reveal().
        phone = crypto.normalise(crypto.decrypt(person.phone_enc)) if person.phone_enc else ""
        if phone and is_mobile(phone) and (NotificationChannel.SMS, phone) not in seen:
            seen.add((NotificationChannel.SMS, phone))
            result.append((NotificationChannel.SMS, phone, person.phone_masked or crypto.mask_phone(phone)))
        email = (person.email or "").strip()
        if email and (NotificationChannel.EMAIL, email.lower()) not in seen:
            seen.add((NotificationChannel.EMAIL, email.lower()))
            result.append((NotificationChannel.EMAIL, email, mask_email(email)))
    return result


def messages_for(
    petition, key: str, context: dict | None = None, *, event=None, people=None
) -> list[Notification]:
    """The unsaved messages `key` to each petitioner of `petition` with a mobile phone
    (SMS) or an e-mail address.  `context` adds to the case number, bureau and
    lookup URL; a `query_code` in it is masked in the stored preview.  `event` is
    the state change the message tells of (events.queue_for_event)."""
    values = {**base_context(petition), **(context or {})}
    body = render_message(key, values)
    masked = render_message(key, {**values, "query_code": MASKED_CODE}) if "query_code" in values else body
    return [
        Notification(
            petition=petition,
            event=event,
            channel=channel,
            recipient_enc=crypto.encrypt(recipient),
            recipient_masked=recipient_masked,
            template=key,
            body_enc=crypto.encrypt(body),
            body_masked=masked,
        )
        for channel, recipient, recipient_masked in _recipients(petition, people)
    ]


@transaction.atomic
def notify_petitioners(petition, key: str, context: dict | None = None, *, event=None) -> list[Notification]:
    """Queue message `key` to each reachable petitioner of `petition` (messages_for)."""
    messages = messages_for(petition, key, context, event=event)
    return Notification.objects.bulk_create(messages) if messages else []
