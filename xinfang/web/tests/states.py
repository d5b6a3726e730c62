"""Petitions in named workflow states, built through the real actions."""

from __future__ import annotations

from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.petitions import actions as a
from xinfang.testing import advance, make_petition, make_user


def district_staff(world) -> dict:
    """Staff of the district government, which answers reviews."""
    return {
        "district_handler": make_user("district_handler", Role.HANDLER, world.district, "区政府承办人"),
        "district_leader": make_user("district_leader", Role.UNIT_LEADER, world.district, "区政府负责人"),
    }


def _classified(world, petition_class="claim", claim_route=6, **fields):
    petition = make_petition(world, **fields)
    a.petition_classify(
        actor=world.registrar, petition=petition, petition_class=petition_class, claim_route=claim_route
    )
    petition.refresh_from_db()
    return petition


def build(world, state: str):
    """A petition in `state` (names below)."""
    if state == "registered":
        return make_petition(world)
    if state == "routed":
        return advance(make_petition(world), world, to="routed")
    if state == "assigned":
        petition = _classified(world)
        a.petition_transfer(
            actor=world.registrar, petition=petition, unit=world.town_a, assign=True, report_days=20
        )
        petition.refresh_from_db()
        return petition
    if state == "objected":
        petition = advance(make_petition(world), world, to="routed")
        a.petition_object(actor=world.handler_a, petition=petition, reason="不属于本街道职责")
        petition.refresh_from_db()
        return petition
    if state == "handling":
        return advance(make_petition(world), world, to="handling")
    if state == "handling_suggestion":
        petition = _classified(world, petition_class="suggestion", claim_route=None, title="建议增设公交站点")
        return advance(petition, world, to="handling")
    if state == "drafted":
        return advance(make_petition(world), world, to="drafted")
    if state == "issued":
        return advance(make_petition(world), world, to="issued")
    if state == "review":
        return advance(make_petition(world), world, to="review")
    if state == "rereview":
        return advance(make_petition(world), world, to="rereview")
    if state == "rereview_paused":
        petition = advance(make_petition(world), world, to="rereview")
        a.petition_pause_clock(
            actor=world.registrar, petition=petition, start=timezone.localdate(), reason="举行听证"
        )
        petition.refresh_from_db()
        return petition
    if state == "final":
        return advance(make_petition(world), world, to="final")
    if state == "rejected":
        petition = make_petition(world)
        a.petition_reject(
            actor=world.registrar, petition=petition, reason_code="not_a_petition", reason="不属于信访事项"
        )
        petition.refresh_from_db()
        return petition
    if state == "direct_routed":
        # Received directly at the street office (Art. 23①): the unit itself may refuse it.
        petition = make_petition(world, actor=world.handler_a, title="街道直接收到的事项")
        a.petition_classify(actor=world.handler_a, petition=petition, petition_class="claim", claim_route=6)
        petition.refresh_from_db()
        return petition
    if state.startswith("accusation_"):
        # 检举控告 against the street office: hidden from it, handled by the discipline unit.
        petition = make_petition(
            world, petition_class="accusation", respondent_unit_id=world.town_a.pk, title="检举街道干部"
        )
        if state in {"accusation_routed", "accusation_handling"}:
            a.petition_transfer(actor=world.registrar, petition=petition, unit=world.discipline)
        if state == "accusation_handling":
            a.petition_accept(actor=world.discipline_handler, petition=petition)
        petition.refresh_from_db()
        return petition
    raise ValueError(state)


STATES = [
    "registered",
    "routed",
    "assigned",
    "objected",
    "handling",
    "handling_suggestion",
    "drafted",
    "issued",
    "review",
    "rereview",
    "rereview_paused",
    "final",
    "rejected",
    "direct_routed",
    "accusation_registered",
    "accusation_routed",
    "accusation_handling",
]
