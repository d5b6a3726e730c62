"""One public address of the portal, used by the receipt, SMS, the rights
card's QR code and questionnaire links; page paths from the URL conf."""

from __future__ import annotations

import pytest

from xinfang.documents.rightscard import lookup_url as card_url
from xinfang.notifications.messages import lookup_url as sms_url
from xinfang.portal.links import public_url
from xinfang.testing import make_petition


@pytest.mark.django_db
def test_receipt_sms_and_qr_code_carry_the_configured_portal_address(world, client, settings):
    settings.PORTAL_BASE_URL = "https://xf.haizhou.gov.cn/"
    petition = make_petition(world)
    client.force_login(world.registrar)
    receipt = client.get(f"/petitions/{petition.pk}/receipt/").content.decode()
    assert "https://xf.haizhou.gov.cn/portal/ 查询" in receipt
    assert "127.0.0.1" not in receipt
    for url in (sms_url(petition.case_number), card_url(petition.case_number)):
        assert url.startswith("https://xf.haizhou.gov.cn/portal/lookup/?case=")
    assert public_url("portal:home") == "https://xf.haizhou.gov.cn/portal/"


def test_the_demo_address_follows_the_demo_port(monkeypatch):
    import importlib

    import xinfang.settings as module

    monkeypatch.setenv("PORT", "8080")
    monkeypatch.delenv("XINFANG_PORTAL_BASE_URL", raising=False)
    try:
        assert importlib.reload(module).PORTAL_BASE_URL == "http://127.0.0.1:8080"
    finally:
        monkeypatch.delenv("PORT")
        importlib.reload(module)
