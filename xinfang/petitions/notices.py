"""The written notices each transition issues (受理告知书, 意见书 …).

Called by the action functions inside their transaction, right after the
transition: the document takes its 文号 and its number is attached to the
event, so the timeline and the portal show which notice went with which step.
"""

from __future__ import annotations

from django.utils import timezone

from xinfang.documents.actions import document_issue
from xinfang.documents.kinds import DocumentKind

from .choices import ClaimRoute, Outcome, RejectionReason, Stage
from .models import EventAction, PetitionEvent

REJECTION_BASIS = {
    RejectionReason.SAME_MATTER_BELOW: "《信访工作条例》第十九条第三款",
    RejectionReason.OUTSIDE_POWERS: "《信访工作条例》第二十三条第一款",
    RejectionReason.NOT_A_PETITION: "《信访工作条例》第十七条",
}
COMPETENT_BODY = {
    ClaimRoute.LITIGATION: "人民法院、人民检察院或公安机关",
    ClaimRoute.ARBITRATION: "劳动人事争议仲裁委员会或其他仲裁机构",
    ClaimRoute.PARTY_APPEAL: "党组织、纪检监察机关",
    ClaimRoute.ADMINISTRATIVE: "行政复议机关或有权作出行政处理的机关",
}
STAGE_KIND = {
    Stage.INITIAL: DocumentKind.HANDLING_OPINION,
    Stage.REVIEW: DocumentKind.REVIEW_OPINION,
    Stage.REREVIEW: DocumentKind.REREVIEW_OPINION,
}


def _day(moment) -> object:
    return timezone.localtime(moment).date() if moment else timezone.localdate()


def _clause(text: str) -> str:
    """Staff text set inside a sentence of a notice ("因{reason}，该事项…"):
    without the full stop the writer ended it with."""
    return (text or "").strip().rstrip("。．.；;，,、！!").strip()


def _request_date(petition, stage: str):
    """The day the petitioner asked for review (re-review): the date the
    reviewing body received the request (Arts. 35, 36①)."""
    action = EventAction.REQUEST_REVIEW if stage == Stage.REVIEW else EventAction.REQUEST_REREVIEW
    event = petition.events.filter(action=action).order_by("-at", "-pk").first()
    return _day(event.at if event else petition.accepted_at)


def _review_body(unit) -> str:
    bodies = unit.reviewing_bodies()
    return bodies[0].name if bodies else "上一级机关、单位"


def issue(event: PetitionEvent, kind: str, *, actor, unit, **context) -> str:
    """Issue `kind` for the event's petition and record its 文号 on the event."""
    document = document_issue(
        actor=actor, petition=event.petition, kind=kind, issuing_unit=unit, context=context
    )
    event.documents = [*event.documents, document.number]
    PetitionEvent.objects.filter(pk=event.pk).update(documents=event.documents)
    return document.number


def for_transfer(event, *, actor, unit, assign: bool, report_due=None) -> None:
    petition = event.petition
    context = {"target_unit": unit.name, "transferred_date": _day(petition.routed_at)}
    if assign:
        issue(event, DocumentKind.ASSIGNMENT_NOTICE, actor=actor, unit=actor.unit, **context)
        # The bureau's instruction given with the assignment is the 交办要求.
        issue(
            event,
            DocumentKind.ASSIGNMENT_SHEET,
            actor=actor,
            unit=actor.unit,
            target_unit=unit.name,
            due_date=report_due,
            requirements=(event.reason or "").strip(),
        )
    else:
        issue(event, DocumentKind.TRANSFER_NOTICE, actor=actor, unit=actor.unit, **context)


def for_accept(event, *, actor) -> None:
    petition = event.petition
    issue(
        event,
        DocumentKind.ACCEPTANCE_NOTICE,
        actor=actor,
        unit=petition.handling_unit,
        accepted_date=_day(petition.accepted_at),
    )


def rejection_basis(petition, reason_code: str) -> str:
    """The article a refusal cites: Art. 23① only for a matter a unit received
    directly; a bureau refusing a matter outside every power it routes to
    cites Art. 22."""
    if reason_code == RejectionReason.OUTSIDE_POWERS and petition.handling_unit_id is None:
        return "《信访工作条例》第二十二条"
    return REJECTION_BASIS[RejectionReason(reason_code)]


def for_reject(event, *, actor, reason_code: str, reason: str, competent_body: str) -> None:
    """`competent_body` names where the petitioner should turn (required for
    outside_powers; the action checks it)."""
    issue(
        event,
        DocumentKind.REJECTION_NOTICE,
        actor=actor,
        unit=event.petition.handling_unit or actor.unit,
        reason=_clause(reason),
        legal_basis=rejection_basis(event.petition, reason_code),
        competent_body=competent_body,
    )


def for_refuse_final(event, *, actor, earlier) -> None:
    final_opinion = (
        earlier.documents.filter(kind=DocumentKind.REREVIEW_OPINION).order_by("-issued_at").first()
    )
    issue(
        event,
        DocumentKind.FINAL_REFUSAL_NOTICE,
        actor=actor,
        unit=event.petition.handling_unit or actor.unit,
        rereview_body=earlier.handling_unit.name if earlier.handling_unit else "复核机关",
        rereview_number=final_opinion.number if final_opinion else earlier.case_number,
        rereview_date=_day(earlier.opinion_delivered_at or earlier.closed_at),
    )


def for_extend(event, *, actor, days: int, reason: str, due) -> None:
    petition = event.petition
    issue(
        event,
        DocumentKind.EXTENSION_NOTICE,
        actor=actor,
        unit=petition.handling_unit,
        accepted_date=_day(petition.accepted_at),
        reason=_clause(reason),
        extension_days=days,
        due_date=due,
    )


def for_divert(event, *, actor, claim_route: int, reason: str) -> None:
    route = ClaimRoute(claim_route)
    issue(
        event,
        DocumentKind.DIVERSION_NOTICE,
        actor=actor,
        unit=event.petition.handling_unit,
        statutory_route=route.label,
        competent_body=COMPETENT_BODY[route],
        reason=_clause(reason),
    )


def for_opinion(event, *, actor, opinion, stage: str) -> None:
    petition = event.petition
    unit = opinion.unit
    context = {
        "facts": opinion.facts_reasons,
        # The handler's findings; older opinions without them print the stated facts.
        "findings": opinion.findings or opinion.facts_reasons,
        "outcome": Outcome(opinion.outcome).label,
        "opinion": opinion.opinion_text,
        "legal_basis": opinion.legal_basis,
        "request_summary": opinion.request,
        "hearing_held": opinion.hearing_held,
    }
    if stage != Stage.INITIAL:
        context["received_date"] = _request_date(petition, stage)
    previous = petition.documents.filter(
        kind__in=[DocumentKind.HANDLING_OPINION, DocumentKind.REVIEW_OPINION]
    )
    previous = previous.order_by("-issued_at").first()
    upper = _review_body(unit)
    if stage == Stage.INITIAL:
        context["review_body"] = upper
    elif stage == Stage.REVIEW:
        context.update(
            original_body=previous.issuing_unit.name if previous else "原办理机关",
            original_number=previous.number if previous else petition.case_number,
            rereview_body=upper,
        )
    else:
        context.update(
            review_body=previous.issuing_unit.name if previous else "复查机关",
            review_number=previous.number if previous else petition.case_number,
        )
    issue(event, STAGE_KIND[stage], actor=actor, unit=unit, **context)


def for_report(event, *, actor, text: str) -> None:
    petition = event.petition
    sheet = petition.documents.filter(kind=DocumentKind.ASSIGNMENT_SHEET).order_by("-issued_at").first()
    opinion = petition.opinions.order_by("-drafted_at").first()
    issue(
        event,
        DocumentKind.CONCLUSION_REPORT,
        actor=actor,
        unit=petition.handling_unit,
        addressee_unit=petition.registering_unit.name,
        assignment_number=sheet.number if sheet else petition.case_number,
        findings=text,
        outcome=Outcome(opinion.outcome).label if opinion else "已办结",
        opinion=opinion.opinion_text if opinion else text,
    )
