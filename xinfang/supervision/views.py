"""Supervision pages: the bureau's list, the unit's inbox, proposals.  Thin
views over xinfang.supervision.actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.access import get_petition_by_case_number_for
from xinfang.petitions.errors import ActionError
from xinfang.web.steps import Failed, StepPage, describe

from . import actions, forms
from .access import get_notice_for, get_proposal_for
from .models import AWAITING_REPLY, Adoption, NoticeStatus


def _petition(user, case_number: str):
    case_number = (case_number or "").strip()
    if not case_number:
        return None
    try:
        return get_petition_by_case_number_for(user, case_number)
    except Http404:
        raise ActionError(
            "invalid", _("信访件编号不存在或无权查看"), fields={"petition_case_number": _("编号不正确")}
        ) from None


@login_required
def notice_list(request):
    if not request.user.is_bureau_staff:
        raise Http404
    form = forms.FilterForm(request.GET or None)
    qs = actions.notices_visible_to(request.user).select_related("unit", "petition", "issued_by")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["unit"]:
            qs = qs.filter(unit__path__startswith=data["unit"].path)
        if data["flagged"]:
            qs = qs.filter(flagged=True)
        if data["overdue"]:
            qs = qs.reply_overdue()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/list.html",
        {
            "page": page,
            "form": form,
            "can_issue": actions.can_supervise(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def inbox(request):
    user = request.user
    if user.unit_id is None:
        raise Http404
    qs = (
        actions.notices_visible_to(user)
        .filter(unit=user.unit)
        .select_related("unit", "petition", "issued_by")
    )
    waiting = [n for n in qs if n.status in AWAITING_REPLY]
    done = [n for n in qs if n.status not in AWAITING_REPLY][:50]
    proposals = actions.proposals_visible_to(user).filter(unit=user.unit, adoption=Adoption.PENDING)
    return render(
        request,
        "supervision/inbox.html",
        {"waiting": waiting, "done": done, "proposals": proposals, "today": timezone.localdate()},
    )


@login_required
def issue(request):
    return _create(
        request, forms.IssueForm, actions.notice_issue, "supervision/issue.html", "supervision:detail"
    )


def _create(request, form_class, make, template: str, page: str, success=lambda made: _("已提出建议")):
    """The supervisor's new notice or proposal: the form's fields are the action's
    arguments, the case number (optional) becomes the petition."""
    if not actions.can_supervise(request.user):
        raise Http404
    form = form_class(request.POST or None, initial={"petition_case_number": request.GET.get("case", "")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["petition"] = _petition(request.user, data.pop("petition_case_number"))
            made = make(actor=request.user, **data)
        except ActionError as err:
            messages.error(request, describe(err))
        else:
            messages.success(
                request,
                _("已签发督办函%(number)s") % {"number": made.number}
                if hasattr(made, "number")
                else _("已提出建议"),
            )
            return redirect(page, pk=made.pk)
    return render(request, template, {"form": form})


def _notice_page(request, notice, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    can_reply = (
        notice.status in AWAITING_REPLY
        and user.unit_id == notice.unit_id
        and user.role in actions.REPLYING_ROLES
    )
    bound = {"reply_form" if failed.name == "reply" else "review_form": failed.form} if failed else {}
    return render(
        request,
        "supervision/detail.html",
        {
            "notice": notice,
            "events": notice.events.select_related("actor"),
            "can_reply": can_reply,
            "supervise": actions.can_supervise(user),
            "reply_form": forms.ReplyForm(),
            "review_form": forms.ReviewForm(),
            "proposals": notice.proposals.all(),
            "statuses": NoticeStatus,
            **bound,
        },
        status=status,
    )


@login_required
def proposals(request):
    qs = actions.proposals_visible_to(request.user).select_related("unit", "proposed_by")
    adoption = request.GET.get("adoption", "")
    if adoption in Adoption.values:
        qs = qs.filter(adoption=adoption)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/proposals.html",
        {
            "page": page,
            "adoption": adoption,
            "adoptions": Adoption.choices,
            "can_propose": actions.can_supervise(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def proposal_new(request):
    return _create(
        request,
        forms.ProposalForm,
        actions.proposal_make,
        "supervision/proposal_form.html",
        "supervision:proposal",
    )


def _proposal_page(request, proposal, *, failed: Failed | None = None, status: int = 200):
    user = request.user
    can_answer = (
        proposal.adoption == Adoption.PENDING
        and user.unit_id == proposal.unit_id
        and user.role in actions.REPLYING_ROLES
    )
    return render(
        request,
        "supervision/proposal.html",
        {
            "proposal": proposal,
            "can_answer": can_answer,
            "form": failed.form if failed else forms.FeedbackForm(),
            "events": proposal.events.select_related("actor"),
        },
        status=status,
    )


# The record pages and their steps (URLs in urls.py).
NOTICE_STEPS = StepPage("supervision:detail", get_notice_for, _notice_page, forms.NoticeStep)
PROPOSAL_STEPS = StepPage("supervision:proposal", get_proposal_for, _proposal_page, forms.FeedbackForm)
