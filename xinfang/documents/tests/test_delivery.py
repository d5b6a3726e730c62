"""送达: the review windows of Arts. 35 and 36 count from the recorded receipt of the
opinion, never from its approval; every way of delivery and its warnings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.alerts.delivery import warn_undelivered
from xinfang.alerts.models import Alert, AlertKind
from xinfang.calendars.rules import DeadlineRule
from xinfang.calendars.service import compute_due
from xinfang.documents.delivery import (
    document_confirm_receipt,
    document_deliver,
    document_send,
)
from xinfang.documents.models import Delivery, IssuedDocument
from xinfang.lib import crypto
from xinfang.notifications.models import Notification
from xinfang.petitions import actions as a
from xinfang.petitions.errors import ActionError, WrongState
from xinfang.petitions.models import Deadline
from xinfang.testing import advance, deliver_opinion, make_petition

pytestmark = pytest.mark.django_db


def opinion_of(petition, kind="handling_opinion") -> IssuedDocument:
    return IssuedDocument.objects.get(petition=petition, kind=kind)


def backdate(document: IssuedDocument, days: int) -> IssuedDocument:
    IssuedDocument.objects.filter(pk=document.pk).update(issued_at=document.issued_at - timedelta(days=days))
    document.refresh_from_db()
    return document


def window(petition, rule=DeadlineRule.REVIEW_REQUEST):
    return Deadline.objects.filter(petition=petition, rule=rule).first()


def test_art35_review_window_starts_at_delivery(world):
    petition = advance(make_petition(world), world, to="issued")
    # Approved and issued, but not received: the 30 days have not started.
    assert window(petition) is None
    with pytest.raises(WrongState, match="尚未登记送达"):
        a.petition_request_review(petition=petition, reason="对处理意见不服")
    document = backdate(opinion_of(petition), 10)
    received = timezone.localdate() - timedelta(days=3)
    document_send(
        actor=world.handler_a, petition=petition, document=document, method="post", tracking_number="EMS001"
    )
    assert window(petition) is None
    posted = Delivery.objects.get(document=document)
    document_confirm_receipt(actor=world.handler_a, petition=petition, delivery=posted, at=received)
    deadline = window(petition)
    assert deadline.start == received
    assert deadline.due == compute_due(DeadlineRule.REVIEW_REQUEST, received).date
    document.refresh_from_db()
    assert timezone.localtime(document.delivered_at).date() == received
    assert petition.opinions.get().delivered_at == document.delivered_at
    a.petition_request_review(petition=petition, reason="对处理意见不服")
    assert petition.stage == "review"


def test_art36_rereview_window_starts_at_delivery_of_review_opinion(world):
    petition = advance(make_petition(world), world, to="review_issued")
    assert window(petition, DeadlineRule.REREVIEW_REQUEST) is None
    with pytest.raises(WrongState, match="尚未登记送达"):
        a.petition_request_rereview(petition=petition, reason="对复查意见不服")
    review_opinion = opinion_of(petition, "review_opinion")
    document_deliver(
        actor=world.registrar, petition=petition, document=review_opinion, method="direct", signed_by="张三"
    )
    deadline = window(petition, DeadlineRule.REREVIEW_REQUEST)
    assert deadline.start == timezone.localdate()
    a.petition_request_rereview(petition=petition, reason="对复查意见不服")
    assert petition.stage == "rereview"


def test_art35_undelivered_opinion_is_never_closed_by_the_worker(world):
    petition = advance(make_petition(world), world, to="issued")
    backdate(opinion_of(petition), 40)
    assert not a.petition_close_after_window(petition=petition)
    petition.refresh_from_db()
    assert petition.status == "opinion_issued"


def test_art35_direct_delivery_needs_the_signature(world):
    petition = advance(make_petition(world), world, to="issued")
    with pytest.raises(ActionError) as err:
        document_deliver(
            actor=world.handler_a, petition=petition, document=opinion_of(petition), method="direct"
        )
    assert "signed_by" in err.value.fields
    delivery = document_deliver(
        actor=world.handler_a,
        petition=petition,
        document=opinion_of(petition),
        method="direct",
        signed_by="张三",
    )
    assert delivery.delivered_at and delivery.signed_by == "张三" and delivery.sent_by == world.handler_a
    event = petition.events.get(action="deliver")
    assert event.data["method"] == "direct" and event.data["signed_by"] == "张三" and event.is_public
    assert event.documents == [opinion_of(petition).number]


def test_art35_post_delivery_needs_tracking_number_and_receipt_date(world):
    petition = advance(make_petition(world), world, to="issued")
    document = opinion_of(petition)
    with pytest.raises(ActionError) as err:
        document_deliver(actor=world.handler_a, petition=petition, document=document, method="post")
    assert "tracking_number" in err.value.fields
    with pytest.raises(ActionError) as err:
        document_deliver(
            actor=world.handler_a, petition=petition, document=document, method="post", tracking_number="EMS1"
        )
    assert "at" in err.value.fields
    assert not Delivery.objects.exists()


def test_delivery_date_neither_before_issue_nor_in_the_future(world):
    petition = advance(make_petition(world), world, to="issued")
    document = opinion_of(petition)
    for when in (timezone.localdate() - timedelta(days=1), timezone.now() + timedelta(days=1)):
        with pytest.raises(ActionError):
            document_deliver(
                actor=world.handler_a,
                petition=petition,
                document=document,
                method="post",
                tracking_number="EMS1",
                at=when,
            )
    assert window(petition) is None


def test_delivery_recorded_only_by_the_issuing_unit_or_the_bureau(world):
    petition = advance(make_petition(world), world, to="issued")
    document = opinion_of(petition)
    for outsider in (world.handler_b, world.supervisor, world.housing_handler):
        with pytest.raises(ActionError):
            document_deliver(
                actor=outsider, petition=petition, document=document, method="direct", signed_by="张三"
            )
    other = advance(make_petition(world, title="另一事项"), world, to="issued")
    with pytest.raises(ActionError):
        document_deliver(
            actor=world.handler_a, petition=other, document=document, method="direct", signed_by="张三"
        )
    assert not Delivery.objects.exists()


def test_delivery_recorded_once(world):
    petition = advance(make_petition(world), world, to="issued")
    deliver_opinion(petition, world)
    with pytest.raises(WrongState):
        document_deliver(
            actor=world.handler_a,
            petition=petition,
            document=opinion_of(petition),
            method="direct",
            signed_by="李四",
        )
    assert Delivery.objects.count() == 1


def test_registration_receipt_and_unit_documents_need_no_delivery(world):
    assignment = make_petition(world, title="交办事项")
    a.petition_classify(actor=world.registrar, petition=assignment, petition_class="claim", claim_route=6)
    a.petition_transfer(
        actor=world.registrar, petition=assignment, unit=world.town_a, assign=True, report_days=20
    )
    sheet = IssuedDocument.objects.get(petition=assignment, kind="assignment_sheet")
    with pytest.raises(ActionError) as err:
        document_deliver(
            actor=world.registrar, petition=assignment, document=sheet, method="direct", signed_by="x"
        )
    assert "document" in err.value.fields


def open_case(client, petition):
    code = crypto.decrypt(petition.query_code_enc)
    response = client.post("/portal/lookup/", {"case_number": petition.case_number, "query_code": code})
    assert response.status_code == 302


def test_art35_portal_page_showing_the_opinion_delivers_it(client, world):
    petition = advance(make_petition(world), world, to="issued")
    open_case(client, petition)
    page = client.get("/portal/case/").content.decode()
    document = opinion_of(petition)
    assert document.delivered_at is not None
    delivery = Delivery.objects.get(document=document)
    assert delivery.method == "portal" and delivery.sent_by is None
    assert window(petition).start == timezone.localdate()
    assert "送达" in page and "请求复查" in page
    event = petition.events.filter(action="deliver", data__document_id=document.pk).get()
    assert event.actor is None and event.actor_label == "信访人"
    # A second visit records nothing more.
    client.get("/portal/case/")
    assert Delivery.objects.filter(document=document).count() == 1


def test_art35_sms_link_delivers_when_opened(client, world):
    petition = advance(make_petition(world), world, to="issued")
    document = opinion_of(petition)
    delivery = document_send(actor=world.handler_a, petition=petition, document=document, method="sms")
    message = Notification.objects.get(petition=petition, template="document_sent")
    body = crypto.decrypt(message.body_enc)
    assert delivery.link_token in body
    assert window(petition) is None
    path = re.search(r"/portal/d/[^/]+/", body).group(0)
    assert client.get("/portal/d/not-a-token/").status_code == 404
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert window(petition).start == timezone.localdate()


def test_undelivered_document_warns_after_the_configured_days(client, world, settings):
    settings.DELIVERY_WARNING_DAYS = 5
    petition = advance(make_petition(world), world, to="issued")
    for document in IssuedDocument.objects.filter(petition=petition):
        backdate(document, 4)
    assert warn_undelivered() == 0
    for document in IssuedDocument.objects.filter(petition=petition):
        backdate(document, 2)
    deliver_opinion(petition, world)
    raised = warn_undelivered()
    # The acceptance notice (and others) are late; the delivered opinion is not.
    alerts = Alert.objects.filter(kind=AlertKind.UNDELIVERED, petition=petition)
    assert raised == alerts.count() >= 1
    assert not alerts.filter(data__document_id=opinion_of(petition).pk).exists()
    assert warn_undelivered() == 0
    client.force_login(world.handler_a)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'id="undelivered-warning"' in page and "未送达" in page


def test_delivery_recorded_on_the_petition_page(client, world):
    petition = advance(make_petition(world), world, to="issued")
    document = opinion_of(petition)
    client.force_login(world.handler_b)
    assert client.post(f"/petitions/{petition.pk}/act/deliver/", {}).status_code == 404
    client.force_login(world.handler_a)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'id="action-deliver"' in page and document.number in page
    assert 'id="window-waiting"' in page and "请求复查：尚未起算" in page
    response = client.post(
        f"/petitions/{petition.pk}/act/deliver/",
        {"document": document.pk, "method": "direct", "at": "", "signed_by": ""},
    )
    assert response.status_code == 400
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/petitions/{petition.pk}/act/deliver/",
        {"document": document.pk, "method": "direct", "at": now, "signed_by": "张三"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.delivered_at is not None and window(petition) is not None
    assert 'id="window-waiting"' not in client.get(f"/petitions/{petition.pk}/").content.decode()
