"""Arts. 24, 32 and 33 through the petition page: the forms post to the actions
and the actions' refusals come back on the form."""

from __future__ import annotations

import pytest

from xinfang.petitions import actions as a
from xinfang.petitions.models import Implementation
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def act(client, petition, name, data):
    return client.post(f"/petitions/{petition.pk}/act/{name}/", data)


def test_art33_mediation_needs_consent_on_the_page(client, world):
    petition = advance(make_petition(world), world, to="handling")
    client.force_login(world.handler_a)
    assert 'id="action-start_settlement"' in client.get(f"/petitions/{petition.pk}/").content.decode()
    base = {"kind": "mediation", "other_party": "幸福物业公司", "consent_date": "2026-01-05"}
    refused = act(client, petition, "start_settlement", {**base, "petitioner_consents": "on"})
    assert refused.status_code == 400 and "须经对方当事人同意" in refused.content.decode()
    started = act(
        client,
        petition,
        "start_settlement",
        {**base, "petitioner_consents": "on", "other_party_consents": "on"},
    )
    assert started.status_code == 302
    client.force_login(world.leader_a)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'id="action-settle"' in page and "幸福物业公司" in page
    assert act(client, petition, "settle", {"terms": "物业公司退还多收费用"}).status_code == 302
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert "调解协议书" in page and "已达成协议" in page


def test_art24_dispute_raised_and_decided_on_the_page(client, world):
    petition = advance(make_petition(world), world, to="routed")
    client.force_login(world.handler_a)
    assert (
        act(
            client, petition, "raise_dispute", {"units": [world.housing.pk], "reason": "属住建部门监管"}
        ).status_code
        == 302
    )
    client.force_login(world.leader_a)
    refused = act(client, petition, "decide_dispute", {"unit": world.town_a.pk, "decision": "x"})
    assert refused.status_code == 403
    client.force_login(world.bureau_leader)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'id="action-decide_dispute"' in page and "待决定" in page
    done = act(client, petition, "decide_dispute", {"unit": world.housing.pk, "decision": "由住建局受理"})
    assert done.status_code == 302
    petition.refresh_from_db()
    assert petition.handling_unit == world.housing


def test_art32_implementation_recorded_on_the_page(client, world):
    petition = advance(make_petition(world), world, to="handling")
    a.petition_draft_opinion(
        actor=world.handler_a,
        petition=petition,
        outcome="support",
        request="退还停车费",
        facts_reasons="经查属实",
        findings="经查属实",
        opinion_text="责成退还",
        legal_basis="《物业管理条例》",
    )
    a.petition_approve_opinion(actor=world.leader_a, petition=petition)
    client.force_login(world.handler_a)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'id="action-record_implementation"' in page and "待落实" in page
    assert act(client, petition, "record_implementation", {"result": ""}).status_code == 400
    assert act(client, petition, "record_implementation", {"result": "已退还"}).status_code == 302
    assert Implementation.objects.get(petition=petition).result == "已退还"


def test_art24_unit_picker_offers_only_the_units_the_action_accepts(client, world):
    """Several bureaus: 海州区's matter names 海州区's units only, never 连云区's or
    the city's own departments (those are reached through their bureau)."""
    import re

    from xinfang.petitions.actions.jurisdiction import dispute_units
    from xinfang.testing import make_city
    from xinfang.units.places import route_targets

    city = make_city(world)
    petition = advance(make_petition(world), world, to="routed")
    assert petition.bureau == world.bureau
    client.force_login(world.handler_a)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    box = re.search(r'<select name="units"[^>]*>(.*?)</select>', page, re.S)
    assert box, "no unit picker on the raise_dispute form"
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', box.group(1))}
    # Exactly what the action accepts: the bureau's routing targets, less the handling unit.
    accepted = {u.pk for u in dispute_units(petition)} - {world.town_a.pk}
    assert offered == accepted == {u.pk for u in route_targets(world.bureau)[1]} - {world.town_a.pk}
    assert {world.housing.pk, world.town_b.pk} <= offered
    for outside in (city.lianyun_town, city.city_housing, city.lianyun, city.lianyun_bureau, world.bureau):
        assert outside.pk not in offered, outside.name
    # A unit outside the area is refused by the action itself (the API reaches it directly).
    from xinfang.petitions.errors import ActionError

    with pytest.raises(ActionError) as refused:
        a.petition_raise_dispute(
            actor=world.handler_a, petition=petition, units=[city.lianyun_town], reason="地址在两区交界"
        )
    assert "不在海州区信访局的辖区内" in refused.value.message and "units" in refused.value.fields
    assert not petition.jurisdiction_disputes.exists()
    # A unit the picker offers is accepted.
    done = act(client, petition, "raise_dispute", {"units": [world.town_b.pk], "reason": "地址在两街道交界"})
    assert done.status_code == 302
    assert set(petition.jurisdiction_disputes.get().units.all()) == {world.town_a, world.town_b}
