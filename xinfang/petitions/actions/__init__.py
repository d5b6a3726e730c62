"""Every write to petitions goes through these functions (one per transition)."""

from .approval import petition_approve_opinion, petition_return_opinion
from .decisions import (
    petition_accept,
    petition_classify,
    petition_divert,
    petition_refuse_final,
    petition_reject,
)
from .extension_requests import petition_decide_extension, petition_request_extension
from .handling import (
    petition_conclude,
    petition_convert_to_normal,
    petition_draft_opinion,
    petition_evaluate,
    petition_extend,
    petition_report,
)
from .implementation import petition_record_implementation
from .intake import (
    PetitionerInput,
    PetitionInput,
    idempotency_key_settled,
    petition_register,
    petition_register_idempotent,
)
from .jurisdiction import petition_decide_dispute, petition_raise_dispute
from .management import (
    attachment_add,
    note_add,
    petition_merge,
    petition_pause_clock,
    petition_recuse,
    petition_reopen,
    petition_resume_clock,
    petition_unrecuse,
    petition_withdraw,
)
from .moves import petition_send_up
from .review import petition_close_after_window, petition_request_rereview, petition_request_review
from .routing import petition_decide_objection, petition_notify, petition_object, petition_transfer
from .settlement import petition_end_settlement, petition_settle, petition_start_settlement

__all__ = [
    "petition_send_up",
    "petition_start_settlement",
    "petition_settle",
    "petition_end_settlement",
    "petition_raise_dispute",
    "petition_decide_dispute",
    "petition_record_implementation",
    "PetitionInput",
    "PetitionerInput",
    "attachment_add",
    "note_add",
    "petition_accept",
    "petition_approve_opinion",
    "petition_classify",
    "petition_close_after_window",
    "petition_conclude",
    "petition_convert_to_normal",
    "petition_decide_extension",
    "petition_request_extension",
    "petition_decide_objection",
    "petition_divert",
    "petition_draft_opinion",
    "petition_evaluate",
    "petition_extend",
    "petition_merge",
    "petition_notify",
    "petition_object",
    "petition_pause_clock",
    "petition_recuse",
    "petition_refuse_final",
    "petition_register",
    "petition_register_idempotent",
    "idempotency_key_settled",
    "petition_reject",
    "petition_reopen",
    "petition_report",
    "petition_request_rereview",
    "petition_request_review",
    "petition_resume_clock",
    "petition_return_opinion",
    "petition_transfer",
    "petition_unrecuse",
    "petition_withdraw",
]
