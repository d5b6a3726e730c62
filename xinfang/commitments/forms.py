"""Forms of the steps on the commitment and follow-up pages
(xinfang.web.steps): input checking only, the actions decide.  Field names are
the actions' keyword arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.web.steps import StepForm, step, text_field

from . import actions


@step("keep", actions.commitment_keep, _("已登记兑现"))
class KeepForm(StepForm):
    target = "commitment"
    evidence = text_field(_("兑现情况"), required=False)
    attachment = forms.IntegerField(label=_("附件"), required=False)

    def params(self) -> dict:
        data = super().params()
        data["attachment"] = self.obj.petition.attachments.filter(pk=data["attachment"] or 0).first()
        return data


class FollowUpStep(StepForm):
    target = "followup"


@step("record", actions.followup_record, _("已登记回访结果"))
class RecordForm(FollowUpStep):
    method = forms.CharField(label=_("方式"), max_length=20, required=False)
    answer = forms.CharField(label=_("问题是否真正解决？"), max_length=20, required=False)
    comment = text_field(_("信访人意见"), required=False)


@step("cancel", actions.followup_cancel, _("已取消回访"))
class CancelForm(FollowUpStep):
    reason = forms.CharField(label=_("取消回访理由"), max_length=400, required=False)
