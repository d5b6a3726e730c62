"""Hearing pages: thin views over xinfang.hearings.actions.

Hearing members see only the hearings they sit on; every other hearing gives
them 404 (get_hearing_for).  Staff reach a hearing through the petitions they
may see.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import Role
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError
from xinfang.web.steps import Failed, StepPage, describe

from . import actions, forms
from .access import can_manage, can_manage_roster, get_hearing_for, seat_of, visible_hearings
from .models import HearingMember, HearingStatus, PublishedHearingOpinion


@login_required
def hearing_list(request):
    if request.user.role == Role.HEARING_MEMBER:
        return redirect("hearings:mine")
    qs = visible_hearings(request.user).select_related("petition", "host", "petition__handling_unit")
    status = request.GET.get("status", "")
    if status in HearingStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-scheduled_at"), 50).get_page(request.GET.get("page"))
    return render(
        request, "hearings/list.html", {"page": page, "status": status, "statuses": HearingStatus.choices}
    )


@login_required
def mine(request):
    if request.user.role != Role.HEARING_MEMBER:
        return redirect("hearings:list")
    hearings = visible_hearings(request.user).select_related("petition", "host").order_by("-scheduled_at")
    return render(request, "hearings/mine.html", {"hearings": hearings})


def published(request):
    """Public: hearing-based opinions published with personal data masked."""
    page = Paginator(PublishedHearingOpinion.objects.all(), 20).get_page(request.GET.get("page"))
    return render(request, "hearings/published.html", {"page": page})


@login_required
def members(request):
    if not request.user.is_bureau_staff:
        raise Http404
    roster = HearingMember.objects.prefetch_related("related_units").select_related("user")
    return render(
        request, "hearings/members.html", {"members": roster, "can_edit": can_manage_roster(request.user)}
    )


@login_required
def member_edit(request, pk: int | None = None):
    if not can_manage_roster(request.user):
        raise Http404
    member = get_object_or_404(HearingMember, pk=pk) if pk else None
    initial = {}
    if member:
        initial = {
            "name": member.name,
            "kind": member.kind,
            "organisation": member.organisation,
            "user": member.user,
            "related_units": member.related_units.all(),
            "related_people": member.related_people,
            "is_active": member.is_active,
        }
    form = forms.MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.member_save(actor=request.user, member=member, **form.cleaned_data)
        except ActionError as err:
            messages.error(request, describe(err))
        else:
            messages.success(request, _("已保存听证员信息"))
            return redirect("hearings:members")
    return render(request, "hearings/member_form.html", {"form": form, "member": member})


@login_required
def schedule(request, petition_pk: int):
    petition = get_petition_for(request.user, petition_pk)
    if not can_manage(request.user, petition):
        raise Http404
    form = forms.ScheduleForm(request.POST or None, petition=petition, initial={"host": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            hearing = actions.hearing_schedule(actor=request.user, petition=petition, **form.cleaned_data)
        except ActionError as err:
            messages.error(request, describe(err))
        else:
            messages.success(request, _("已安排听证，请选定听证员"))
            return redirect("hearings:detail", pk=hearing.pk)
    return render(request, "hearings/schedule.html", {"form": form, "petition": petition})


# The context name of each step's form on the page (recuse and publish have none).
FORM_CONTEXT = {
    "panel": "panel_form",
    "notify": "notify_form",
    "hold": "hold_form",
    "minutes": "minutes_form",
    "opinion": "opinion_form",
    "conclude": "conclude_form",
    "cancel": "reason_form",
}


def _hearing_page(request, hearing, *, failed: Failed | None = None, status: int = 200):
    petition = hearing.petition
    own_seat = seat_of(request.user, hearing)
    manage = own_seat is None and can_manage(request.user, petition)
    seats = list(hearing.seats.select_related("member"))
    if own_seat is not None and hearing.status != HearingStatus.CONCLUDED:
        # Members give their opinions independently: others' stay hidden until the conclusion.
        for seat in seats:
            if seat.pk != own_seat.pk:
                seat.opinion, seat.reasoning = "", ""
    context = {
        "hearing": hearing,
        "petition": petition,
        "seats": seats,
        "own_seat": own_seat,
        "manage": manage,
        "petitioner_names": list(petition.petitioner_links.values_list("petitioner__name", flat=True)),
        "notices": hearing.notices.all() if own_seat is None else [],
        "attendance": hearing.attendance.all(),
        "publication": PublishedHearingOpinion.objects.filter(hearing=hearing).first(),
        "is_member": request.user.role == Role.HEARING_MEMBER,
    }
    if manage:
        context.update(
            panel_form=forms.PanelForm(obj=hearing),
            notify_form=forms.NotifyForm(obj=hearing),
            hold_form=forms.HoldForm(obj=hearing),
            minutes_form=forms.MinutesForm(obj=hearing, initial={"minutes": hearing.minutes}),
            opinion_form=forms.OpinionForm(obj=hearing),
            conclude_form=forms.ConcludeForm(obj=hearing),
            reason_form=forms.ReasonForm(obj=hearing),
        )
    elif own_seat is not None:
        context["opinion_form"] = forms.OpinionForm(
            obj=hearing, initial={"opinion": own_seat.opinion, "reasoning": own_seat.reasoning}
        )
        context["reason_form"] = forms.ReasonForm(obj=hearing)
    key = FORM_CONTEXT.get(failed.name) if failed else None
    if key in context:
        context[key] = failed.form
    return render(request, "hearings/detail.html", context, status=status)


# The record pages and their steps (URLs in urls.py).
STEPS = StepPage("hearings:detail", get_hearing_for, _hearing_page, forms.HearingStep)
