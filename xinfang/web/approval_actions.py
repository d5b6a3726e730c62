"""Forms of the opinion and its approval (Art. 32), and of the handler's
extension request (Art. 34), registered in permissions.py and action_forms.py
like the other transitions.  No rule is written here: each action declares
who may take it and when (xinfang.petitions.actions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.petitions.actions import (
    petition_approve_opinion,
    petition_decide_extension,
    petition_draft_opinion,
    petition_request_extension,
    petition_return_opinion,
)
from xinfang.petitions.actions.approval import OPINION_FIELDS, draft_of, pending_opinion, returned_draft
from xinfang.petitions.actions.extension_requests import pending_request
from xinfang.petitions.choices import Outcome

RUNNERS = {
    "request_extension": petition_request_extension,
    "decide_extension": petition_decide_extension,
    "draft_opinion": petition_draft_opinion,
    "return_opinion": petition_return_opinion,
    "approve_opinion": petition_approve_opinion,
}


def _text(label, required=True, rows=2):
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required, max_length=4000
    )


class _Form(forms.Form):
    def __init__(self, *args, user=None, petition=None, **kwargs):
        self.user, self.petition = user, petition
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class OpinionForm(_Form):
    """The draft; after a return, pre-filled with the returned draft."""

    outcome = forms.ChoiceField(label=_("处理结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    request = _text(_("信访人的请求"), rows=3)
    facts_reasons = _text(_("事实和理由"), rows=6)
    findings = _text(_("调查核实情况"), rows=6)
    opinion_text = _text(_("处理意见"), rows=6)
    legal_basis = _text(_("法律法规依据"), rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.petition is not None and not self.is_bound:
            self.initial.update(request=self.petition.request, facts_reasons=self.petition.facts_reasons)
            returned = returned_draft(self.petition)
            if returned is not None:
                draft = returned.data.get("draft") or {}
                self.initial.update({k: v for k, v in draft.items() if k in OPINION_FIELDS and v})


class ApproveOpinionForm(OpinionForm):
    """The leader's 审批意见 and the draft, editable before it is issued.  A
    field left out of the submission stays as drafted; a field emptied is refused."""

    remarks = _text(_("审批意见"), required=False)
    field_order = ["remarks", *OPINION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in OPINION_FIELDS:
            self.fields[name].required = False
        opinion = pending_opinion(self.petition) if self.petition is not None else None
        if opinion is not None and not self.is_bound:
            self.initial.update(draft_of(opinion))

    def params(self) -> dict:
        data = {"remarks": self.cleaned_data.get("remarks", "")}
        for name in OPINION_FIELDS:
            if name in self.data:
                data[name] = self.cleaned_data.get(name) or ""
        return data


class ReturnOpinionForm(_Form):
    reason = _text(_("审批意见（退回理由）"), rows=3)


class RequestExtensionForm(_Form):
    days = forms.IntegerField(label=_("申请延长天数（不超过30日）"), min_value=1, max_value=30, initial=30)
    reason = _text(_("延期理由（经批准后告知信访人）"))


class DecideExtensionForm(_Form):
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("同意延期")), ("0", _("不同意延期"))],
    )
    remarks = _text(_("审批意见（不同意时必填）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = pending_request(self.petition) if self.petition is not None else None
        if request is not None:
            self.fields["approve"].help_text = _("%(who)s申请延长%(days)s日。理由：%(reason)s") % {
                "who": request.requested_by.display_name,
                "days": request.days,
                "reason": request.reason,
            }


# name → (form class, title, success message, accesskey), as action_forms.FORMS
FORMS = {
    "request_extension": (RequestExtensionForm, _("申请延期"), _("已提交延期申请，等待单位负责人审批"), ""),
    "decide_extension": (DecideExtensionForm, _("审批延期申请"), _("已审批延期申请"), ""),
    "draft_opinion": (OpinionForm, _("拟写意见书"), _("意见书已提交审批"), "o"),
    "return_opinion": (ReturnOpinionForm, _("退回意见书"), _("已退回意见书"), ""),
    "approve_opinion": (ApproveOpinionForm, _("审批并出具意见书"), _("意见书已出具"), "y"),
}
