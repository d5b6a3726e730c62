"""Which workflow actions a user may take on a petition right now.

`available_actions` mirrors the role and state checks of
xinfang.petitions.actions so the petition page offers only buttons that work;
xinfang/web/tests/test_permissions.py checks it against the actions
themselves for every persona and state.

A few actions do not check the actor in the core (they are also called on the
petitioner's behalf by the portal): withdraw, request review / re-review,
evaluate, pause / resume the clock and internal notes.  For staff screens
`web_role_allows` is their role rule, and `perform` applies it before calling
the action, so the page and the POST handler agree.
"""

from __future__ import annotations

from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule
from xinfang.petitions import actions as core
from xinfang.petitions.access import can_see
from xinfang.petitions.choices import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    ClaimRoute,
    EvaluationStage,
    PetitionClass,
    Stage,
    Status,
)
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.errors import Forbidden
from xinfang.petitions.models import Evaluation, Petition

from . import procedure_actions as procedure

# Order = order of the forms on the petition page.
ACTIONS = [
    "classify",
    "transfer",
    "decide_objection",
    "object",
    "notify",
    "accept",
    "reject",
    "refuse_final",
    "divert",
    "extend",
    "convert_to_normal",
    "draft_opinion",
    "return_opinion",
    "approve_opinion",
    "conclude",
    "report",
    "request_review",
    "request_rereview",
    "evaluate",
    "pause_clock",
    "resume_clock",
    "merge",
    "withdraw",
    "reopen",
    "recuse",
    "note",
    *procedure.NAMES,
]

# Actions open to petitioners on the portal as well; for staff the core applies
# the role rules below (actions._core.require_petitioner_or_staff and friends).
WEB_GUARDED = {
    "withdraw",
    "request_review",
    "request_rereview",
    "evaluate",
    "pause_clock",
    "resume_clock",
    "note",
}

BUREAU_ACTORS = {Role.REGISTRAR, Role.BUREAU_LEADER}
UNIT_ACTORS = {Role.HANDLER, Role.UNIT_LEADER}
EVALUATION_RECORDERS = {Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR}


def is_bureau(user, roles=BUREAU_ACTORS) -> bool:
    """Same test as actions._core.require_bureau."""
    return getattr(user, "is_authenticated", False) and user.role in roles and user.is_bureau_staff


def is_handling_unit(user, petition: Petition, roles=UNIT_ACTORS) -> bool:
    """Same test as actions._core.require_handling_unit."""
    if not getattr(user, "is_authenticated", False) or user.role not in roles:
        return False
    unit = petition.handling_unit
    if unit is None or user.unit is None or not unit.is_within(user.unit):
        return False
    return not petition.recusals.filter(user=user).exists()


def _deadline_open(petition: Petition, rule: str) -> bool:
    deadline = open_deadline_for(petition, rule)
    return deadline is not None and deadline.due >= timezone.localdate()


def evaluable_stages(petition: Petition) -> list[str]:
    """Evaluation stages the petitioner may still rate (rules of petition_evaluate)."""
    stages = []
    done = set(
        Evaluation.objects.filter(petition=petition, unit=petition.handling_unit).values_list(
            "stage", flat=True
        )
    )
    if EvaluationStage.ACCEPTANCE not in done and (
        petition.accepted_at is not None
        or petition.status in {Status.REJECTED, Status.REFUSED_FINAL, Status.DIVERTED}
    ):
        stages.append(EvaluationStage.ACCEPTANCE)
    if EvaluationStage.HANDLING not in done and (
        petition.opinion_delivered_at is not None or petition.status == Status.CLOSED
    ):
        stages.append(EvaluationStage.HANDLING)
    return stages


def web_role_allows(user, petition: Petition, name: str) -> bool:
    """The staff role rule of the actions in WEB_GUARDED (mirrors the core's checks)."""
    if name == "note":
        return user.role != Role.SUPERVISOR
    if name == "evaluate":
        return is_bureau(user, EVALUATION_RECORDERS)
    # Withdrawal, review requests and hearing pauses are recorded by the
    # bureau or by the unit that has the matter.
    return is_bureau(user) or is_handling_unit(user, petition)


def _rules(user, p: Petition) -> dict[str, bool]:
    status, stage = p.status, p.stage
    bureau = is_bureau(user)
    unit = is_handling_unit(user, p)
    unit_leader = is_handling_unit(user, p, {Role.UNIT_LEADER})
    decision_maker = bureau if status == Status.REGISTERED else unit_leader and status == Status.ROUTED
    concludable = p.petition_class in {PetitionClass.SUGGESTION, PetitionClass.ACCUSATION} or (
        p.petition_class == PetitionClass.CLAIM and p.claim_route == ClaimRoute.DUTY_TO_ACT
    )
    # Art. 31(6): at the first stage only such claims get a 信访处理意见书.
    opinion_ok = stage != Stage.INITIAL or (
        p.petition_class == PetitionClass.CLAIM and p.claim_route == ClaimRoute.PETITION_HANDLING
    )
    guarded = {name: web_role_allows(user, p, name) for name in WEB_GUARDED}
    return {
        "classify": (status == Status.REGISTERED and bureau)
        or (status in {Status.ROUTED, Status.HANDLING} and unit),
        "transfer": bureau and status == Status.REGISTERED,
        "decide_objection": bureau and status == Status.OBJECTED,
        "object": unit and status == Status.ROUTED and _deadline_open(p, DeadlineRule.OBJECT),
        "notify": unit and status in {Status.ROUTED, Status.HANDLING} and p.notified_at is None,
        "accept": unit and status == Status.ROUTED and bool(p.petition_class),
        "reject": decision_maker,
        "refuse_final": decision_maker,
        "divert": unit
        and status in {Status.ROUTED, Status.HANDLING}
        and p.petition_class == PetitionClass.CLAIM,
        "extend": unit_leader
        and status == Status.HANDLING
        and stage == Stage.INITIAL
        and not p.is_extended
        and not p.is_simple
        and _deadline_open(p, DeadlineRule.CONCLUDE),
        "convert_to_normal": unit_leader
        and status == Status.HANDLING
        and stage == Stage.INITIAL
        and p.is_simple,
        "draft_opinion": unit and status == Status.HANDLING and opinion_ok,
        "return_opinion": unit_leader and status == Status.OPINION_DRAFTED,
        "approve_opinion": unit_leader
        and status == Status.OPINION_DRAFTED
        and p.opinions.filter(approved_at__isnull=True).exists(),
        "conclude": unit and status == Status.HANDLING and concludable,
        "report": unit and p.is_assignment,
        "request_review": guarded["request_review"]
        and status == Status.OPINION_ISSUED
        and stage == Stage.INITIAL
        and _deadline_open(p, DeadlineRule.REVIEW_REQUEST),
        "request_rereview": guarded["request_rereview"]
        and status == Status.OPINION_ISSUED
        and stage == Stage.REVIEW
        and _deadline_open(p, DeadlineRule.REREVIEW_REQUEST),
        "evaluate": guarded["evaluate"] and bool(evaluable_stages(p)),
        "pause_clock": guarded["pause_clock"]
        and stage == Stage.REREVIEW
        and status == Status.HANDLING
        and not _paused(p)
        and _hearing_being_held(p),
        "resume_clock": guarded["resume_clock"] and _paused(p),
        "merge": bureau and status in {Status.REGISTERED, Status.ROUTED},
        "withdraw": guarded["withdraw"] and status in OPEN_STATUSES,
        "reopen": bureau and status in TERMINAL_STATUSES and status != Status.MERGED and not p.is_final,
        # Anyone who sees the matter may step aside themself; leaders and the
        # bureau may record it for others (petition_recuse checks that part).
        "recuse": True,
        "note": guarded["note"],
        **procedure.rules(user, p, bureau=bureau, unit=unit, unit_leader=unit_leader),
    }


def _paused(p: Petition) -> bool:
    from xinfang.petitions.actions.decisions import stage_rule

    deadline = open_deadline_for(p, stage_rule(p.stage))
    return deadline is not None and deadline.pauses.filter(end__isnull=True).exists()


def _hearing_being_held(p: Petition) -> bool:
    from xinfang.petitions.actions.management import _hearing_in_progress

    return _hearing_in_progress(p) is not None


def available_actions(user, petition: Petition) -> list[str]:
    """Names from ACTIONS that `user` may take on `petition` now (nothing when
    the user may not see it)."""
    if not getattr(user, "is_authenticated", False) or not can_see(user, petition):
        return []
    rules = _rules(user, petition)
    return [name for name in ACTIONS if rules[name]]


RUNNERS = {
    "classify": core.petition_classify,
    "transfer": core.petition_transfer,
    "decide_objection": core.petition_decide_objection,
    "object": core.petition_object,
    "notify": core.petition_notify,
    "accept": core.petition_accept,
    "reject": core.petition_reject,
    "refuse_final": core.petition_refuse_final,
    "divert": core.petition_divert,
    "extend": core.petition_extend,
    "convert_to_normal": core.petition_convert_to_normal,
    "draft_opinion": core.petition_draft_opinion,
    "return_opinion": core.petition_return_opinion,
    "approve_opinion": core.petition_approve_opinion,
    "conclude": core.petition_conclude,
    "report": core.petition_report,
    "request_review": core.petition_request_review,
    "request_rereview": core.petition_request_rereview,
    "evaluate": core.petition_evaluate,
    "pause_clock": core.petition_pause_clock,
    "resume_clock": core.petition_resume_clock,
    "merge": core.petition_merge,
    "withdraw": core.petition_withdraw,
    "reopen": core.petition_reopen,
    "recuse": core.petition_recuse,
    "note": core.note_add,
    **procedure.RUNNERS,
}


def perform(user, petition: Petition, name: str, /, **params):
    """Run action `name` for `user` as the staff screens do: the petition must
    be visible, the web role rule applies to WEB_GUARDED actions, and the core
    action does the rest (and raises ActionError subclasses)."""
    if not can_see(user, petition):
        raise Forbidden()
    if name in WEB_GUARDED and not web_role_allows(user, petition, name):
        raise Forbidden()
    return RUNNERS[name](actor=user, petition=petition, **params)
