"""Dates shown to staff are the bureau's local dates, never UTC ones: a matter
received at 00:57 in Beijing is received 'today', although it is still
yesterday in UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xinfang.testing import VALID_ID, make_petition
from xinfang.triage.flags import _evidence
from xinfang.triage.service import history_row

EARLY = datetime(2026, 12, 7, 0, 57, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_lookup_history_and_flag_evidence_show_the_local_date(world, client):
    petition = make_petition(world, received_at=EARLY)
    assert history_row(petition)["received"] == "2026-12-07"
    assert _evidence(petition)["received"] == "2026-12-07"
    client.force_login(world.registrar)
    found = client.get("/desk/lookup", {"id_number": VALID_ID}).json()["results"]
    assert found[0]["petitions"][0]["received"] == "2026-12-07"
