"""Hearing pages: thin views over xinfang.hearings.actions.

Hearing members see only the hearings they sit on; every other hearing gives
them 404 (get_hearing_for).  Staff reach a hearing through the petitions they
may see.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.accounts.models import Role
from xinfang.petitions.access import get_petition_for
from xinfang.petitions.errors import ActionError

from . import actions, forms
from .access import can_manage, can_manage_roster, get_hearing_for, seat_of, visible_hearings
from .models import HearingMember, HearingStatus, Party, PublishedHearingOpinion


def _fail(request, err: ActionError) -> None:
    detail = "；".join(f"{v}" for v in err.fields.values())
    messages.error(request, f"{err.message}{'（' + detail + '）' if detail else ''}")


def _form_fail(request, form) -> None:
    errors = "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{'：' if k in form.fields else ''}{' '.join(v)}"
        for k, v in form.errors.items()
    )
    messages.error(request, f"请检查填写内容：{errors}")


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
            _fail(request, err)
        else:
            messages.success(request, "已保存听证员信息")
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
            _fail(request, err)
        else:
            messages.success(request, "已安排听证，请选定听证员")
            return redirect("hearings:detail", pk=hearing.pk)
    return render(request, "hearings/schedule.html", {"form": form, "petition": petition})


@login_required
def detail(request, pk: int):
    hearing = get_hearing_for(request.user, pk)
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
            panel_form=forms.PanelForm(),
            notify_form=forms.NotifyForm(),
            hold_form=forms.HoldForm(hearing=hearing),
            minutes_form=forms.MinutesForm(initial={"minutes": hearing.minutes}),
            opinion_form=forms.OpinionForm(hearing=hearing),
            conclude_form=forms.ConcludeForm(),
            reason_form=forms.ReasonForm(),
        )
    elif own_seat is not None:
        context["opinion_form"] = forms.OpinionForm(
            initial={"opinion": own_seat.opinion, "reasoning": own_seat.reasoning}
        )
        context["reason_form"] = forms.ReasonForm()
    return render(request, "hearings/detail.html", context)


def _step(request, pk: int, form_class, run, success: str, *, form_kwargs=None):
    """Load the hearing (404 when hidden), validate the form, run the action."""
    hearing = get_hearing_for(request.user, pk)
    form = form_class(request.POST, **(form_kwargs(hearing) if form_kwargs else {}))
    if not form.is_valid():
        _form_fail(request, form)
    else:
        try:
            run(hearing, form.cleaned_data)
        except ActionError as err:
            _fail(request, err)
        else:
            messages.success(request, success)
    return HttpResponseRedirect(reverse("hearings:detail", args=[hearing.pk]))


@login_required
@require_POST
def panel(request, pk: int):
    def run(hearing, data):
        result = actions.hearing_select_panel(actor=request.user, hearing=hearing, members=data["members"])
        for seat in result.recused:
            messages.warning(request, f"{seat.member.name}因利害关系自动回避：{seat.recusal_reason}")

    return _step(request, pk, forms.PanelForm, run, "已更新听证员名单")


@login_required
@require_POST
def recuse(request, pk: int, seat_pk: int):
    def run(hearing, data):
        seat = get_object_or_404(hearing.seats, pk=seat_pk)
        actions.hearing_recuse_member(actor=request.user, seat=seat, reason=data["reason"])

    return _step(request, pk, forms.ReasonForm, run, "已登记回避")


@login_required
@require_POST
def notify(request, pk: int):
    def run(hearing, data):
        sent = actions.hearing_notify(actor=request.user, hearing=hearing, method=data["method"])
        messages.info(request, f"本次送达通知{len(sent)}份")

    return _step(request, pk, forms.NotifyForm, run, "听证通知已登记")


@login_required
@require_POST
def hold(request, pk: int):
    def run(hearing, data):
        petition = hearing.petition
        parties = [
            (Party.PETITIONER, n, data["petitioner_present"])
            for n in petition.petitioner_links.values_list("petitioner__name", flat=True)
        ]
        if petition.handling_unit:
            parties.append((Party.UNIT, petition.handling_unit.name, data["unit_present"]))
        actions.hearing_hold(
            actor=request.user,
            hearing=hearing,
            held_on=data["held_on"],
            absent_members=[m.pk for m in data["absent"]],
            parties=parties,
        )

    return _step(request, pk, forms.HoldForm, run, "已记录听证举行情况", form_kwargs=lambda h: {"hearing": h})


@login_required
@require_POST
def minutes(request, pk: int):
    def run(hearing, data):
        actions.hearing_record_minutes(actor=request.user, hearing=hearing, minutes=data["minutes"])

    return _step(request, pk, forms.MinutesForm, run, "已保存听证笔录")


@login_required
@require_POST
def opinion(request, pk: int):
    def run(hearing, data):
        own = seat_of(request.user, hearing)
        member = own.member if own is not None else data["member"]
        if member is None:
            raise ActionError("invalid", "请选择听证员", fields={"member": "必填"})
        actions.hearing_record_opinion(
            actor=request.user,
            hearing=hearing,
            member=member,
            opinion=data["opinion"],
            reasoning=data["reasoning"],
        )

    return _step(
        request, pk, forms.OpinionForm, run, "已记录听证员意见", form_kwargs=lambda h: {"hearing": h}
    )


@login_required
@require_POST
def conclude(request, pk: int):
    def run(hearing, data):
        actions.hearing_conclude(actor=request.user, hearing=hearing, **data)

    return _step(request, pk, forms.ConcludeForm, run, "已形成听证结论")


@login_required
@require_POST
def cancel(request, pk: int):
    def run(hearing, data):
        actions.hearing_cancel(actor=request.user, hearing=hearing, reason=data["reason"])

    return _step(request, pk, forms.ReasonForm, run, "已取消听证")


@login_required
@require_POST
def publish(request, pk: int):
    def run(hearing, data):
        actions.hearing_publish(actor=request.user, hearing=hearing)

    return _step(request, pk, lambda *a, **k: _Empty(), run, "听证意见已公示")


class _Empty:
    cleaned_data: dict = {}

    def is_valid(self) -> bool:
        return True
