"""Loading one supervision notice or proposal for a user (Http404 when hidden);
the lists are actions.notices_visible_to / proposals_visible_to."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from .actions import notices_visible_to, proposals_visible_to
from .models import AccountabilityProposal, SupervisionNotice


def get_notice_for(user, pk: int) -> SupervisionNotice:
    notice = notices_visible_to(user).select_related("unit", "petition").filter(pk=pk).first()
    if notice is None:
        raise Http404(_("督办函不存在或无权查看"))
    return notice


def get_proposal_for(user, pk: int) -> AccountabilityProposal:
    proposal = proposals_visible_to(user).select_related("unit").filter(pk=pk).first()
    if proposal is None:
        raise Http404(_("建议不存在或无权查看"))
    return proposal
