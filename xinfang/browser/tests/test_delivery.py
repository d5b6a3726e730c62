"""送达 on the petition page in Chromium: an opinion issued days ago and not yet
delivered is flagged; the town records the signed direct delivery, and the
review window (Art. 35) starts from it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from xinfang.browser.tests.steps import act, messages

pytestmark = pytest.mark.django_db(transaction=True)


def test_direct_delivery_recorded_on_the_petition_page(staff_page, live_server, shots):
    from xinfang.documents.models import IssuedDocument
    from xinfang.petitions.models import Deadline
    from xinfang.testing import advance, make_petition, make_world

    world = make_world()
    petition = advance(make_petition(world), world, to="issued")
    for document in IssuedDocument.objects.filter(petition=petition):
        IssuedDocument.objects.filter(pk=document.pk).update(issued_at=document.issued_at - timedelta(days=7))
    opinion = IssuedDocument.objects.get(petition=petition, kind="handling_opinion")

    page = staff_page("handler_a")
    page.goto(f"{live_server.url}/petitions/{petition.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#undelivered-warning").is_visible()
    shots(page, "undelivered-warning")

    act(
        page,
        "deliver",
        select={"document": opinion.pk},
        radio={"method": "direct"},
        fill={"signed_by": "张三"},
    )
    assert "已登记送达" in messages(page), page.content()[:3000]
    row = page.locator("td.delivery").filter(has_text="已送达").first
    assert "张三" in row.inner_text()
    shots(page, "delivery-recorded")
    assert Deadline.objects.filter(petition=petition, rule="review_request").exists()
