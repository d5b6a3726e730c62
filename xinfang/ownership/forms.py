"""Forms of the steps on the ownership and backlog pages (xinfang.web.steps):
input checking only, the actions decide (choices and required text included,
so their Chinese messages are the ones shown).  Field names are the actions'
keyword arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.web.steps import StepForm, date_field, step, text_field

from . import actions


class OwnershipStep(StepForm):
    target = "ownership"


@step("report", actions.ownership_report, _("已报送进展"))
class ReportForm(OwnershipStep):
    text = text_field(_("本期进展"), required=False)


@step("milestone", actions.milestone_add, _("已添加节点"))
class MilestoneForm(OwnershipStep):
    title = forms.CharField(label=_("新增节点"), max_length=200, required=False)
    due = date_field(_("计划完成日期"))


@step("milestone_done", actions.milestone_complete, _("节点已完成"))
class MilestoneDoneForm(OwnershipStep):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    evidence = forms.CharField(label=_("完成情况"), max_length=4000, required=False)

    def params(self) -> dict:
        return {
            "milestone": self.child(self.obj.milestones.all(), "milestone"),
            "evidence": self.cleaned_data["evidence"],
        }


@step("visit", actions.field_visit_record, _("已登记下访"))
class VisitForm(OwnershipStep):
    date = date_field(_("日期"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    participants = forms.CharField(label=_("参加人员"), max_length=500, required=False)
    summary = text_field(_("下访情况"), required=False)


@step("resolve", actions.ownership_resolve, _("已登记化解"))
class ResolveForm(OwnershipStep):
    kind = forms.CharField(label=_("化解方式"), max_length=20, required=False)
    date = date_field(_("化解日期"))
    attachment = forms.IntegerField(label=_("附件"), required=False)
    evidence = text_field(_("化解依据"), required=False)

    def params(self) -> dict:
        data = super().params()
        data["attachment"] = self.obj.petition.attachments.filter(pk=data["attachment"] or 0).first()
        return data


@step("release", actions.ownership_release, _("已解除包案"))
class ReleaseForm(OwnershipStep):
    reason = forms.CharField(label=_("解除包案理由"), max_length=400, required=False)


class BacklogStep(StepForm):
    target = "backlog"


@step("submit", actions.backlog_submit_report, _("已报送"))
class SubmitReportForm(BacklogStep):
    report = forms.IntegerField(widget=forms.HiddenInput)
    text = text_field(_("报告内容"), required=False)

    def params(self) -> dict:
        return {"report": self.child(self.obj.reports_due.all(), "report"), "text": self.cleaned_data["text"]}


@step("due", actions.backlog_add_report_due, _("已添加报送期限"))
class ReportDueForm(BacklogStep):
    kind = forms.CharField(label=_("类型"), max_length=20, required=False)
    due = date_field(_("报送期限"))


@step("resolve", actions.backlog_resolve, _("积案已化解"))
class BacklogResolveForm(BacklogStep):
    note = text_field(_("化解情况"), required=False)
