"""Test helpers shared by the reception, ownership and commitments tests."""

from __future__ import annotations

from xinfang.petitions import actions as a
from xinfang.petitions.models import EventAction
from xinfang.testing import advance, make_petition


def handling_petition(world, **fields):
    return advance(make_petition(world, **fields), world, to="handling")


def concluded_petition(world, **fields):
    """A suggestion answered and closed by town A (conclude → CLOSED)."""
    petition = make_petition(world, **fields)
    a.petition_classify(actor=world.registrar, petition=petition, petition_class="suggestion")
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    petition.refresh_from_db()
    a.petition_accept(actor=world.handler_a, petition=petition)
    petition.refresh_from_db()
    a.petition_conclude(actor=world.handler_a, petition=petition, result="已采纳建议并答复")
    petition.refresh_from_db()
    return petition


def mechanism_steps(petition, mechanism: str) -> list[str]:
    return [
        e.data.get("step")
        for e in petition.events.filter(action=EventAction.MECHANISM).order_by("at", "pk")
        if e.data.get("mechanism") == mechanism
    ]
