"""Which workflow actions a user may take on a petition right now.

No rule is written here: each action declares who may perform it and when
(xinfang.petitions.actions.rules, `@declare` above the action).  This module
only orders the declared actions for the petition page and runs them.
"""

from __future__ import annotations

from xinfang.petitions import actions as core
from xinfang.petitions.actions.handling import evaluable_stages
from xinfang.petitions.actions.rules import REGISTRY, available
from xinfang.petitions.models import Petition

from . import approval_actions as approval
from . import procedure_actions as procedure

__all__ = ["ACTIONS", "RUNNERS", "available_actions", "evaluable_stages", "perform"]

# name → action; the order is the order of the forms on the petition page.
RUNNERS = {
    "classify": core.petition_classify,
    "transfer": core.petition_transfer,
    "send_up": core.petition_send_up,
    "decide_objection": core.petition_decide_objection,
    "object": core.petition_object,
    "notify": core.petition_notify,
    "accept": core.petition_accept,
    "reject": core.petition_reject,
    "refuse_final": core.petition_refuse_final,
    "divert": core.petition_divert,
    "extend": core.petition_extend,
    "request_extension": approval.RUNNERS["request_extension"],
    "decide_extension": approval.RUNNERS["decide_extension"],
    "convert_to_normal": core.petition_convert_to_normal,
    "draft_opinion": approval.RUNNERS["draft_opinion"],
    "return_opinion": approval.RUNNERS["return_opinion"],
    "approve_opinion": approval.RUNNERS["approve_opinion"],
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
    "unrecuse": core.petition_unrecuse,
    "note": core.note_add,
    **procedure.RUNNERS,
}
ACTIONS = list(RUNNERS)
assert set(ACTIONS) == set(REGISTRY), "every declared action has a form on the petition page"


def available_actions(user, petition: Petition) -> list[str]:
    """Names from ACTIONS whose declared rule lets `user` take them on `petition`
    now (nothing when the user may not see it)."""
    return available(user, petition, ACTIONS)


def perform(user, petition: Petition, name: str, /, **params):
    """Run action `name` for `user` as the staff screens do; the action checks
    its own declaration (and raises ActionError subclasses)."""
    return RUNNERS[name](actor=user, petition=petition, **params)
