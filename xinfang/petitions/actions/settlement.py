"""调解 and 和解 (Art. 33): while a claim (申诉求决类) is handled, the unit may mediate
with the consent of both parties to the dispute, or guide them to settle of
their own accord.  An agreement is written as a 调解协议书 / 和解协议书 and ends
the handling; without one the matter goes on to an opinion as usual."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule
from xinfang.documents.kinds import DocumentKind

from .. import notices
from ..choices import PetitionClass, Status
from ..deadlines import meet_deadlines, refresh_current_due
from ..errors import ActionError, WrongState
from ..models import EventAction, Petition, Settlement, SettlementKind
from ._core import record_event, require_reason, require_text, transition
from .rules import UNIT_LEADER, UNIT_STAFF, Allow, declare, when

AGREEMENT_KIND = {
    SettlementKind.MEDIATION: DocumentKind.MEDIATION_AGREEMENT,
    SettlementKind.SETTLEMENT: DocumentKind.SETTLEMENT_AGREEMENT,
}


def open_settlement(petition: Petition) -> Settlement | None:
    return petition.settlements.filter(agreed_at__isnull=True, ended_at__isnull=True).first()


def _settling(petition: Petition) -> bool:
    return open_settlement(petition) is not None


NO_SETTLEMENT = "没有正在进行的调解或和解"


@transaction.atomic
@declare(
    "start_settlement",
    Allow(
        UNIT_STAFF,
        Status.HANDLING,
        when(
            lambda p: p.petition_class == PetitionClass.CLAIM,
            lambda p: ActionError(
                "invalid", "调解、和解只适用于申诉求决类事项（《信访工作条例》第三十三条）"
            ),
        ),
        when(lambda p: not _settling(p), lambda p: WrongState("该事项正在调解或和解")),
    ),
    state_message="只有办理中的事项可以调解或和解",
)
def petition_start_settlement(
    *,
    actor,
    petition: Petition,
    kind: str,
    other_party: str,
    petitioner_consents: bool,
    other_party_consents: bool,
    consent_date: date | None = None,
) -> Settlement:
    """Start mediation or settlement: only for a claim being handled, and only when
    both parties to the dispute have agreed to it."""
    if kind not in SettlementKind.values:
        raise ActionError("invalid", "请选择调解或和解", fields={"kind": "请选择调解或和解"})
    other_party = require_text(other_party, "other_party", "请填写对方当事人", summary="请填写对方当事人")
    missing = {}
    if not petitioner_consents:
        missing["petitioner_consents"] = "须经信访人同意"
    if not other_party_consents:
        missing["other_party_consents"] = "须经对方当事人同意"
    if missing:
        raise ActionError(
            "invalid", "调解、和解须经争议双方当事人同意（《信访工作条例》第三十三条）", fields=missing
        )
    consent_date = consent_date or timezone.localdate()
    if consent_date > timezone.localdate():
        raise ActionError("invalid", "同意日期不能晚于今天", fields={"consent_date": "不能晚于今天"})
    settlement = Settlement.objects.create(
        petition=petition,
        kind=kind,
        other_party=other_party[:100],
        consent_date=consent_date,
        started_by=actor,
    )
    record_event(
        petition,
        action=EventAction.SETTLEMENT,
        actor=actor,
        data={
            "step": "started",
            "settlement_id": settlement.pk,
            "kind": kind,
            "other_party": settlement.other_party,
            "consent_date": consent_date.isoformat(),
        },
    )
    return settlement


@transaction.atomic
@declare("settle", Allow(UNIT_LEADER, Status.HANDLING, when(_settling, lambda p: WrongState(NO_SETTLEMENT))))
def petition_settle(
    *, actor, petition: Petition, terms: str, documents: list[str] | None = None
) -> Settlement:
    """达成一致: the unit leader signs off the agreement; the 调解协议书 / 和解协议书
    is issued and the handling ends with it."""
    settlement = open_settlement(petition)
    terms = require_text(terms, "terms", "请填写协议内容", summary="请填写协议内容")
    now = timezone.now()
    event = transition(
        petition,
        allowed_from={Status.HANDLING},
        to_status=Status.CLOSED,
        action=EventAction.SETTLEMENT,
        actor=actor,
        reason=terms,
        data={
            "step": "agreed",
            "settlement_id": settlement.pk,
            "kind": settlement.kind,
            "outcome": settlement.kind,
        },
        updates={"closed_at": now},
        documents=documents or [],
    )
    number = notices.issue(
        event,
        AGREEMENT_KIND[SettlementKind(settlement.kind)],
        actor=actor,
        unit=petition.handling_unit,
        other_party=settlement.other_party,
        terms=terms,
        consent_date=settlement.consent_date,
    )
    document = petition.documents.get(number=number)
    Settlement.objects.filter(pk=settlement.pk).update(agreed_at=now, terms=terms, document=document)
    settlement.agreed_at, settlement.terms, settlement.document = now, terms, document
    meet_deadlines(
        petition,
        DeadlineRule.CONCLUDE,
        DeadlineRule.SIMPLE,
        DeadlineRule.REVIEW_ANSWER,
        DeadlineRule.REREVIEW_ANSWER,
        at=now,
    )
    refresh_current_due(petition)
    return settlement


@transaction.atomic
@declare("end_settlement", Allow(UNIT_STAFF, None, when(_settling, lambda p: WrongState(NO_SETTLEMENT))))
def petition_end_settlement(*, actor, petition: Petition, reason: str) -> Settlement:
    """No agreement (or a party withdrew consent): handling goes on as before."""
    settlement = open_settlement(petition)
    reason = require_reason(reason)
    now = timezone.now()
    if (
        Settlement.objects.filter(pk=settlement.pk, agreed_at__isnull=True, ended_at__isnull=True).update(
            ended_at=now, end_reason=reason
        )
        != 1
    ):
        raise WrongState("调解或和解已结束，请刷新后重试")
    settlement.ended_at, settlement.end_reason = now, reason
    record_event(
        petition,
        action=EventAction.SETTLEMENT,
        actor=actor,
        reason=reason,
        data={"step": "ended", "settlement_id": settlement.pk, "kind": settlement.kind},
    )
    return settlement
