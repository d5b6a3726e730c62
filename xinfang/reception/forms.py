"""Forms of the steps on the reception pages (xinfang.web.steps): input
checking only, the actions decide.  Field names are the actions' keyword
arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.petitions import access
from xinfang.petitions.errors import ActionError
from xinfang.web.steps import StepForm, step, text_field

from . import actions

NOT_FOUND = _("未找到该信访件或无权查看")


class SessionStep(StepForm):
    target = "session"


@step("visit", actions.visit_register, _("已登记接访"))
class VisitForm(SessionStep):
    case_number = forms.CharField(label=_("信访件编号"), max_length=40, required=False)

    def params(self) -> dict:
        number = self.cleaned_data["case_number"].strip()
        petition = access.visible_petitions(self.user).filter(case_number=number).first() if number else None
        if petition is None:
            raise ActionError("invalid", NOT_FOUND, fields={"case_number": NOT_FOUND})
        return {"session": self.obj, "petition": petition}


@step("outcome", actions.visit_record_outcome, _("已登记处理结果"))
class OutcomeForm(SessionStep):
    visit = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(label=_("处理结果"), max_length=30, required=False)
    note = forms.CharField(label=_("处理情况"), max_length=2000, required=False)

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["visit"] = self.child(self.obj.visits.all(), "visit")
        return data


class JointStep(StepForm):
    target = "joint"


@step("post", actions.joint_post, _("已发布"))
class PostForm(JointStep):
    kind = forms.CharField(label=_("类型"), max_length=20, required=False)
    text = text_field(_("内容"), required=False)
    reply_to = forms.IntegerField(label=_("回复发言编号"), required=False)

    def params(self) -> dict:
        data = super().params()
        data["reply_to"] = self.obj.posts.filter(pk=data["reply_to"] or 0).first()
        return data


@step("answer", actions.joint_draft_answer, _("综合答复已拟定"))
class AnswerForm(JointStep):
    text = text_field(_("综合答复"), required=False)


@step("withdraw", actions.joint_reopen_statements, _("已撤回综合答复"))
class WithdrawForm(JointStep):
    pass


@step("close", actions.joint_close, _("联合办理已结束"))
class CloseForm(JointStep):
    outcome = forms.CharField(label=_("处理结果"), max_length=30, required=False)
    note = forms.CharField(label=_("说明"), max_length=2000, required=False)


@step("booking", actions.booking_set_status, _("已更新预约"))
class BookingForm(StepForm):
    booking = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.CharField(label=_("结果"), max_length=20, required=False)
    note = forms.CharField(label=_("接待情况"), max_length=2000, required=False)

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["booking"] = self.child(self.obj.bookings.all(), "booking")
        return data
