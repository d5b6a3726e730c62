"""Forms of the hearing pages: input checking only; the actions decide."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import Role, User
from xinfang.petitions.choices import Outcome
from xinfang.petitions.errors import ActionError
from xinfang.units.models import Unit
from xinfang.web.steps import StepForm, step

from . import actions
from .access import seat_of
from .models import HearingMember, MemberKind, NoticeMethod, Party

DATE = forms.DateInput(attrs={"type": "date"})


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    kind = forms.ChoiceField(label=_("身份"), choices=MemberKind.choices)
    organisation = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False, help_text=_("修改时留空则不变"))
    user = forms.ModelChoiceField(
        label=_("登录账号"),
        required=False,
        queryset=User.objects.filter(role=Role.HEARING_MEMBER, is_active=True),
    )
    related_units = forms.ModelMultipleChoiceField(
        label=_("任职或有利害关系的单位"), required=False, queryset=Unit.objects.active()
    )
    related_people = forms.CharField(
        label=_("有利害关系的人员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("姓名，以逗号、顿号或换行分隔"),
    )
    is_active = forms.BooleanField(label=_("在库"), required=False, initial=True)


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("听证时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("听证地点"), max_length=200)
    host = forms.ModelChoiceField(label=_("主持人"), queryset=User.objects.none())

    def __init__(self, *args, petition=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(is_active=True, unit__isnull=False).exclude(role=Role.HEARING_MEMBER)
        if petition is not None and petition.handling_unit_id:
            ids = petition.handling_unit.lineage_ids()
            qs = (
                qs.filter(unit__kind="bureau")
                | qs.filter(unit_id__in=ids)
                | qs.filter(unit__path__startswith=petition.handling_unit.path)
            )
        self.fields["host"].queryset = qs.exclude(role=Role.HEARING_MEMBER).distinct().order_by("unit__path")


class HearingStep(StepForm):
    target = "hearing"


def _seated(hearing):
    return HearingMember.objects.filter(seats__hearing=hearing, seats__status="selected")


def _recused_warnings(request, result) -> None:
    for seat in result.recused:
        messages.warning(request, f"{seat.member.name}因利害关系自动回避：{seat.recusal_reason}")


@step("panel", actions.hearing_select_panel, _("已更新听证员名单"), after=_recused_warnings)
class PanelForm(HearingStep):
    members = forms.ModelMultipleChoiceField(
        label=_("听证员"),
        queryset=HearingMember.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )


@step(
    "notify",
    actions.hearing_notify,
    _("听证通知已登记"),
    after=lambda request, sent: messages.info(request, f"本次送达通知{len(sent)}份"),
)
class NotifyForm(HearingStep):
    method = forms.ChoiceField(label=_("送达方式"), choices=NoticeMethod.choices)


@step("hold", actions.hearing_hold, _("已记录听证举行情况"))
class HoldForm(HearingStep):
    held_on = forms.DateField(label=_("举行日期"), widget=DATE, initial=timezone.localdate)
    absent = forms.ModelMultipleChoiceField(
        label=_("未出席的听证员"),
        required=False,
        queryset=HearingMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    petitioner_present = forms.BooleanField(label=_("信访人出席"), required=False, initial=True)
    unit_present = forms.BooleanField(label=_("有关单位出席"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["absent"].queryset = _seated(self.obj)

    def params(self) -> dict:
        data, petition = self.cleaned_data, self.obj.petition
        parties = [
            (Party.PETITIONER, name, data["petitioner_present"])
            for name in petition.petitioner_links.values_list("petitioner__name", flat=True)
        ]
        if petition.handling_unit:
            parties.append((Party.UNIT, petition.handling_unit.name, data["unit_present"]))
        return {
            "hearing": self.obj,
            "held_on": data["held_on"],
            "absent_members": [m.pk for m in data["absent"]],
            "parties": parties,
        }


@step("minutes", actions.hearing_record_minutes, _("已保存听证笔录"))
class MinutesForm(HearingStep):
    minutes = forms.CharField(label=_("听证笔录"), widget=forms.Textarea(attrs={"rows": 8}))


@step("opinion", actions.hearing_record_opinion, _("已记录听证员意见"))
class OpinionForm(HearingStep):
    member = forms.ModelChoiceField(label=_("听证员"), queryset=HearingMember.objects.none(), required=False)
    opinion = forms.ChoiceField(label=_("意见"), choices=Outcome.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["member"].queryset = _seated(self.obj)

    def params(self) -> dict:
        # A member records their own opinion; staff record one for a member they name.
        own = seat_of(self.user, self.obj)
        member = own.member if own is not None else self.cleaned_data["member"]
        if member is None:
            raise ActionError("invalid", _("请选择听证员"), fields={"member": _("必填")})
        return {**super().params(), "member": member}


@step("conclude", actions.hearing_conclude, _("已形成听证结论"))
class ConcludeForm(HearingStep):
    concluded_on = forms.DateField(label=_("结论日期"), widget=DATE, initial=timezone.localdate)
    conclusion_text = forms.CharField(label=_("听证意见"), widget=forms.Textarea(attrs={"rows": 5}))


@step("recuse", actions.hearing_recuse_member, _("已登记回避"))
class RecuseForm(HearingStep):
    seat = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), max_length=400)

    def params(self) -> dict:
        return {"seat": self.child(self.obj.seats.all(), "seat"), "reason": self.cleaned_data["reason"]}


@step("cancel", actions.hearing_cancel, _("已取消听证"))
class ReasonForm(HearingStep):
    reason = forms.CharField(label=_("理由"), max_length=400, widget=forms.Textarea(attrs={"rows": 2}))


@step("publish", actions.hearing_publish, _("听证意见已公示"))
class PublishForm(HearingStep):
    pass
