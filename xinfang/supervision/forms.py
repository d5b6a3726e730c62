"""Forms of the supervision pages: input checking only; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.units.models import Unit
from xinfang.web.steps import StepForm, step

from . import actions
from .models import Adoption, NoticeStatus, ProposalKind, Trigger

DATE = forms.DateInput(attrs={"type": "date"})


class IssueForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("被督办单位"), queryset=Unit.objects.active())
    petition_case_number = forms.CharField(label=_("信访件编号（可选）"), max_length=40, required=False)
    trigger = forms.ChoiceField(label=_("督办事由"), choices=Trigger.choices)
    facts = forms.CharField(label=_("督办事项"), widget=forms.Textarea(attrs={"rows": 4}))
    requirements = forms.CharField(
        label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reply_due = forms.DateField(
        label=_("回复期限"), widget=DATE, required=False, help_text=_("留空为10个工作日")
    )
    flagged = forms.BooleanField(label=_("挂牌督办"), required=False)


class NoticeStep(StepForm):
    target = "notice"


@step("reply", actions.notice_reply, _("已提交书面回复"))
class ReplyForm(NoticeStep):
    text = forms.CharField(label=_("书面回复"), widget=forms.Textarea(attrs={"rows": 5}))


class ReviewForm(NoticeStep):
    """One form on the page for the supervisor's four answers (each its own URL)."""

    reason = forms.CharField(label=_("意见或理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reply_due = forms.DateField(label=_("新的回复期限"), widget=DATE, required=False)


@step("accept", actions.notice_accept, _("已认可回复"))
class AcceptForm(ReviewForm):
    def params(self) -> dict:
        return {"notice": self.obj, "note": self.cleaned_data["reason"]}


@step("reject", actions.notice_reject, _("已退回，请单位重新回复"))
class RejectForm(ReviewForm):
    pass


@step("escalate", actions.notice_escalate, _("已挂牌督办"))
class EscalateForm(ReviewForm):
    pass


@step("close", actions.notice_close, _("已销号"))
class CloseForm(ReviewForm):
    def params(self) -> dict:
        return {"notice": self.obj, "reason": self.cleaned_data["reason"]}


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *NoticeStatus.choices]
    )
    unit = forms.ModelChoiceField(label=_("单位"), required=False, queryset=Unit.objects.active())
    flagged = forms.BooleanField(label=_("仅挂牌督办"), required=False)
    overdue = forms.BooleanField(label=_("仅逾期未回复"), required=False)


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("建议类型"), choices=ProposalKind.choices)
    unit = forms.ModelChoiceField(label=_("建议对象"), queryset=Unit.objects.active())
    petition_case_number = forms.CharField(label=_("信访件编号（可选）"), max_length=40, required=False)
    title = forms.CharField(label=_("标题"), max_length=200)
    text = forms.CharField(label=_("建议内容"), widget=forms.Textarea(attrs={"rows": 6}))
    response_due = forms.DateField(
        label=_("反馈期限"), widget=DATE, required=False, help_text=_("留空为20个工作日")
    )


@step("feedback", actions.proposal_feedback, _("已反馈采纳情况"))
class FeedbackForm(StepForm):
    target = "proposal"

    adoption = forms.ChoiceField(
        label=_("采纳情况"),
        choices=[c for c in Adoption.choices if c[0] != Adoption.PENDING],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(label=_("书面反馈"), widget=forms.Textarea(attrs={"rows": 5}))
