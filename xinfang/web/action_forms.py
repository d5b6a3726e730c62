"""One small form per workflow action on the petition page.

Field names equal the keyword arguments of the action, so the action's
field errors land on the right field.  `params()` turns cleaned data into
those arguments (case numbers become petitions the user may see)."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import User
from xinfang.petitions.access import get_petition_by_case_number_for
from xinfang.petitions.actions.handling import evaluable_stages
from xinfang.petitions.actions.management import undoable_recusals
from xinfang.petitions.actions.rules import decides_recusal_of
from xinfang.petitions.choices import (
    DIVERSION_ROUTES,
    ClaimRoute,
    EvaluationStage,
    PetitionClass,
    Rating,
    RejectionReason,
)
from xinfang.petitions.errors import ActionError
from xinfang.units.models import Unit
from xinfang.units.places import user_bureau

from .approval_actions import FORMS as approval_forms
from .forms import CategoryChoiceField, UnitChoiceField, category_queryset, route_field_setup
from .procedure_actions import FORMS as procedure_forms

REASON = _("理由")


def reason_field(label=REASON, required=True, rows=2):
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required, max_length=4000
    )


class ActionForm(forms.Form):
    def __init__(self, *args, user=None, petition=None, **kwargs):
        self.user, self.petition = user, petition
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        return dict(self.cleaned_data)

    def petition_by_case_number(self, field: str):
        number = (self.cleaned_data.get(field) or "").strip()
        if not number:
            return None
        try:
            return get_petition_by_case_number_for(self.user, number)
        except Http404:
            raise ActionError(
                "invalid", "未找到该编号的信访事项", fields={field: "未找到该编号的信访事项"}
            ) from None


class ClassifyForm(ActionForm):
    petition_class = forms.ChoiceField(label=_("类别"), choices=PetitionClass.choices)
    claim_route = forms.TypedChoiceField(
        label=_("处理途径（申诉求决类）"),
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + ClaimRoute.choices,
        required=False,
    )
    category = CategoryChoiceField(label=_("分类"), queryset=category_queryset(), required=False)
    is_litigation = forms.BooleanField(label=_("涉法涉诉"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_queryset()
        if self.petition is not None and not self.is_bound:
            self.initial.update(
                petition_class=self.petition.petition_class,
                claim_route=self.petition.claim_route,
                category=self.petition.category_id,
                is_litigation=self.petition.is_litigation,
            )


class TransferForm(ActionForm):
    unit = UnitChoiceField(label=_("转送至"), queryset=Unit.objects.none())
    assign = forms.BooleanField(label=_("交办（要求报送办结报告）"), required=False)
    report_days = forms.IntegerField(
        label=_("办结报告期限（日）"), min_value=1, max_value=90, required=False, initial=30
    )
    reason = reason_field(_("转送说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        holder = self.petition.bureau if self.petition is not None and self.petition.bureau_id else None
        route_field_setup(self.fields["unit"], holder or user_bureau(self.user))

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        if not data["assign"]:
            data["report_days"] = None
        elif data["report_days"] is None:
            data["report_days"] = 30
        return data


class ReasonForm(ActionForm):
    reason = reason_field()


class DecideObjectionForm(ActionForm):
    uphold = forms.TypedChoiceField(
        label=_("核实结果"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("异议成立，收回重新转送")), ("0", _("异议不成立，仍由该单位办理"))],
    )
    reason = reason_field()


class NotifyForm(ActionForm):
    text = reason_field(_("告知内容"), required=False)


class AcceptForm(ActionForm):
    simple = forms.BooleanField(label=_("适用简易办理（10个工作日）"), required=False)
    reason = reason_field(_("说明"), required=False)


class RejectForm(ActionForm):
    reason_code = forms.ChoiceField(label=_("不予受理的理由"), choices=RejectionReason.choices)
    reason = reason_field(_("具体说明"))
    earlier = forms.CharField(
        label=_("已受理的同一事项编号（第十九条第三款）"), max_length=40, required=False
    )
    competent_body = forms.CharField(
        label=_("有权处理的机关、单位（不属于本机关职权范围时必填）"), max_length=200, required=False
    )

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["earlier"] = self.petition_by_case_number("earlier")
        return data


class RefuseFinalForm(ActionForm):
    earlier = forms.CharField(label=_("已复核终结的事项编号"), max_length=40)
    reason = reason_field()

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["earlier"] = self.petition_by_case_number("earlier")
        return data


class DivertForm(ActionForm):
    claim_route = forms.TypedChoiceField(
        label=_("法定途径"), coerce=int, choices=[c for c in ClaimRoute.choices if c[0] in DIVERSION_ROUTES]
    )
    reason = reason_field(_("告知内容及理由"))


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("延长天数（不超过30日）"), min_value=1, max_value=30, initial=30)
    reason = reason_field(_("延期理由（将告知信访人）"))


class ConcludeForm(ActionForm):
    result = reason_field(_("办理结果"), rows=4)


class TextForm(ActionForm):
    text = reason_field(_("内容"), rows=4)


class EvaluateForm(ActionForm):
    stage = forms.ChoiceField(label=_("评价环节"), choices=EvaluationStage.choices)
    rating = forms.ChoiceField(label=_("满意度"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = reason_field(_("意见"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.petition is not None:
            stages = set(evaluable_stages(self.petition))
            self.fields["stage"].choices = [
                c for c in EvaluationStage.choices if c[0] in stages
            ] or EvaluationStage.choices


class MergeForm(ActionForm):
    into = forms.CharField(label=_("合并至（信访件编号）"), max_length=40)
    reason = reason_field(_("说明"), required=False)

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["into"] = self.petition_by_case_number("into")
        return data


def _user_label(u) -> str:
    return f"{u.display_name}（{u.unit.name if u.unit else ''}）"


class RecuseForm(ActionForm):
    """Offers the people whose recusal this user may decide (rules.decides_recusal_of):
    themself, and as a leader the staff below them in the units concerned."""

    user = forms.ModelChoiceField(label=_("回避人员"), queryset=User.objects.none())
    reason = reason_field(_("回避理由"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        me = self.user
        if me is None:
            return
        ids = [me.pk]
        if me.is_leader and self.petition is not None:
            units = [u for u in (self.petition.handling_unit, me.unit) if u is not None]
            qs = User.objects.none()
            for unit in units:
                qs = qs | User.objects.filter(unit__path__startswith=unit.path, is_active=True)
            ids += [u.pk for u in qs.select_related("unit") if decides_recusal_of(me, u)]
        if self.petition is not None:
            recused = set(self.petition.recusals.values_list("user_id", flat=True))
            ids = [i for i in ids if i not in recused]
        self.fields["user"].queryset = User.objects.filter(pk__in=ids).order_by("unit__path", "username")
        self.fields["user"].label_from_instance = _user_label


class UnrecuseForm(ActionForm):
    """Offers the recusals this user may withdraw (the same authority that decides them)."""

    user = forms.ModelChoiceField(label=_("撤销回避的人员"), queryset=User.objects.none())
    reason = reason_field(_("撤销理由"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is None or self.petition is None:
            return
        ids = [r.user_id for r in undoable_recusals(self.user, self.petition)]
        self.fields["user"].queryset = User.objects.filter(pk__in=ids).order_by("unit__path", "username")
        self.fields["user"].label_from_instance = _user_label


class PauseForm(ActionForm):
    start = forms.DateField(label=_("中止日期（听证开始）"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = reason_field(_("中止理由"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("start", timezone.localdate())


class ResumeForm(ActionForm):
    end = forms.DateField(label=_("恢复日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("end", timezone.localdate())


# name → (form class, title, success message, accesskey)
FORMS = {
    "classify": (ClassifyForm, _("分类"), _("已保存分类"), ""),
    "transfer": (TransferForm, _("转送 / 交办"), _("已转送"), "t"),
    "send_up": (ReasonForm, _("报送上级信访部门"), _("已报送上级信访部门"), ""),
    "decide_objection": (DecideObjectionForm, _("核实异议"), _("已核实异议"), ""),
    "object": (ReasonForm, _("提出异议（非本单位职责）"), _("已提出异议，等待信访部门核实"), ""),
    "notify": (NotifyForm, _("书面告知信访人"), _("已记录书面告知"), ""),
    "accept": (AcceptForm, _("受理"), _("已受理，办理期限开始计算"), "a"),
    "reject": (RejectForm, _("不予受理"), _("已作出不予受理决定"), ""),
    "refuse_final": (RefuseFinalForm, _("不再受理"), _("已作出不再受理决定"), ""),
    "divert": (DivertForm, _("导入法定途径"), _("已导入法定途径"), ""),
    "extend": (ExtendForm, _("延期"), _("已延长办理期限"), "e"),
    "convert_to_normal": (ReasonForm, _("简易办理转为普通程序"), _("已转为普通程序"), ""),
    "conclude": (ConcludeForm, _("办结"), _("已办结"), ""),
    "report": (TextForm, _("报送办结报告"), _("已报送办结报告"), ""),
    "request_review": (ReasonForm, _("代信访人申请复查"), _("已登记复查申请"), ""),
    "request_rereview": (ReasonForm, _("代信访人申请复核"), _("已登记复核申请"), ""),
    "evaluate": (EvaluateForm, _("登记满意度评价"), _("已登记评价"), ""),
    "pause_clock": (PauseForm, _("听证中止计时"), _("已中止计时"), ""),
    "resume_clock": (ResumeForm, _("恢复计时"), _("已恢复计时"), ""),
    "merge": (MergeForm, _("合并到其他事项"), _("已合并"), ""),
    "withdraw": (ReasonForm, _("信访人撤回"), _("已登记撤回"), ""),
    "reopen": (ReasonForm, _("重新办理"), _("已重新办理"), ""),
    "recuse": (RecuseForm, _("登记回避"), _("已登记回避"), ""),
    "unrecuse": (UnrecuseForm, _("撤销回避"), _("已撤销回避"), ""),
    "note": (TextForm, _("添加内部备注"), _("已添加内部备注"), ""),
    **procedure_forms,
    **approval_forms,
}

# Long forms get their own page instead of a box on the petition page.
SEPARATE_PAGE = {"draft_opinion"}
