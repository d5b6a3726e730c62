"""Petitions in named workflow states, built through the real actions."""

from __future__ import annotations

from xinfang.accounts.models import Role
from xinfang.documents.delivery import document_send
from xinfang.petitions import actions as a
from xinfang.petitions.actions import PetitionerInput
from xinfang.testing import advance, deliver_opinion, hold_rereview_hearing, make_petition, make_user


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
    if state == "extension_requested":
        petition = advance(make_petition(world), world, to="handling")
        a.petition_request_extension(actor=world.handler_a, petition=petition, days=20, reason="需要补充调查")
        petition.refresh_from_db()
        return petition
    if state == "handling_suggestion":
        petition = _classified(world, petition_class="suggestion", claim_route=None, title="建议增设公交站点")
        return advance(petition, world, to="handling")
    if state == "drafted":
        return advance(make_petition(world), world, to="drafted")
    if state == "issued":
        # Issued and delivered: the review window is running.
        petition = advance(make_petition(world), world, to="issued")
        deliver_opinion(petition, world)
        petition.refresh_from_db()
        return petition
    if state == "issued_undelivered":
        return advance(make_petition(world), world, to="issued")
    if state == "posted":
        petition = advance(make_petition(world), world, to="issued")
        document = petition.documents.get(kind="handling_opinion")
        document_send(
            actor=world.handler_a, petition=petition, document=document, method="post", tracking_number="EMS1"
        )
        petition.refresh_from_db()
        return petition
    if state == "disputed":
        petition = advance(make_petition(world), world, to="routed")
        a.petition_raise_dispute(
            actor=world.handler_a, petition=petition, units=[world.housing], reason="涉及住建部门职责"
        )
        petition.refresh_from_db()
        return petition
    if state == "settling":
        petition = advance(make_petition(world), world, to="handling")
        a.petition_start_settlement(
            actor=world.handler_a,
            petition=petition,
            kind="mediation",
            other_party="幸福物业公司",
            petitioner_consents=True,
            other_party_consents=True,
        )
        petition.refresh_from_db()
        return petition
    if state == "supported":
        petition = advance(make_petition(world), world, to="drafted")
        a.petition_return_opinion(actor=world.leader_a, petition=petition, reason="改为支持")
        a.petition_draft_opinion(
            actor=world.handler_a,
            petition=petition,
            outcome="support",
            request="退还停车费",
            facts_reasons="经查收费未经备案",
            findings="物业公司收费标准未向价格主管部门备案",
            opinion_text="责成物业公司退还",
            legal_basis="《物业管理条例》",
        )
        a.petition_approve_opinion(actor=world.leader_a, petition=petition)
        petition.refresh_from_db()
        return petition
    if state == "review":
        return advance(make_petition(world), world, to="review")
    if state == "rereview":
        return advance(make_petition(world), world, to="rereview")
    if state == "rereview_paused":
        # Art. 36②: the clock stops only for a hearing; holding one pauses it.
        petition = advance(make_petition(world), world, to="rereview")
        hold_rereview_hearing(world, petition)
        petition.refresh_from_db()
        return petition
    if state == "handling_simple":
        first_timer = [PetitionerInput(name="路灯报修人", phone="13900001111", address="幸福路1号")]
        petition = make_petition(world, title="路灯不亮", petitioners=first_timer)
        petition = advance(petition, world, to="routed")
        a.petition_accept(actor=world.handler_a, petition=petition, simple=True)
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
    "extension_requested",
    "handling_suggestion",
    "handling_simple",
    "drafted",
    "issued",
    "issued_undelivered",
    "posted",
    "disputed",
    "settling",
    "supported",
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
