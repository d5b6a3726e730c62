"""Runners and forms of the 送达 (delivery) and Arts. 24, 32, 33 actions.

Registered in permissions.py and action_forms.py like the other transitions.
No rule is written here: each action declares who may take it and when
(xinfang.petitions.actions.rules), and the petition page lists what the
declarations allow.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.documents import delivery as served
from xinfang.documents.models import Delivery, DeliveryMethod, IssuedDocument
from xinfang.petitions.actions import (
    petition_decide_dispute,
    petition_end_settlement,
    petition_raise_dispute,
    petition_record_implementation,
    petition_settle,
    petition_start_settlement,
)
from xinfang.petitions.actions.jurisdiction import dispute_units, open_dispute
from xinfang.petitions.models import SettlementKind
from xinfang.units.models import Unit

from .forms import UnitChoiceField

NAMES = [
    "deliver",
    "send_document",
    "confirm_receipt",
    "raise_dispute",
    "decide_dispute",
    "record_implementation",
    "start_settlement",
    "settle",
    "end_settlement",
]


RUNNERS = {
    "deliver": served.document_deliver,
    "send_document": served.document_send,
    "confirm_receipt": served.document_confirm_receipt,
    "raise_dispute": petition_raise_dispute,
    "decide_dispute": petition_decide_dispute,
    "record_implementation": petition_record_implementation,
    "start_settlement": petition_start_settlement,
    "settle": petition_settle,
    "end_settlement": petition_end_settlement,
}


# ---------------------------------------------------------------- forms


class _Form(forms.Form):
    def __init__(self, *args, user=None, petition=None, **kwargs):
        self.user, self.petition = user, petition
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        return dict(self.cleaned_data)


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: IssuedDocument) -> str:
        return f"{obj.title}（{obj.number}，{timezone.localtime(obj.issued_at):%Y-%m-%d}）"


def _documents_field(form: _Form) -> None:
    ids = [d.pk for d in served.servable_documents(form.user, form.petition)] if form.petition else []
    form.fields["document"].queryset = IssuedDocument.objects.filter(pk__in=ids).order_by("issued_at", "pk")


class DeliverForm(_Form):
    document = DocumentChoiceField(label=_("送达的文书"), queryset=IssuedDocument.objects.none())
    method = forms.ChoiceField(
        label=_("送达方式"),
        widget=forms.RadioSelect,
        choices=[(m.value, m.label) for m in (DeliveryMethod.DIRECT, DeliveryMethod.POST)],
        initial=DeliveryMethod.DIRECT,
    )
    at = forms.DateTimeField(
        label=_("签收时间（邮寄送达填回执上的签收日期）"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    signed_by = forms.CharField(label=_("签收人"), max_length=60, required=False)
    tracking_number = forms.CharField(label=_("邮件单号"), max_length=40, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _documents_field(self)
        self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))


class SendForm(_Form):
    document = DocumentChoiceField(label=_("发送的文书"), queryset=IssuedDocument.objects.none())
    method = forms.ChoiceField(
        label=_("发送方式"),
        widget=forms.RadioSelect,
        choices=[
            (m.value, m.label) for m in (DeliveryMethod.POST, DeliveryMethod.PORTAL, DeliveryMethod.SMS)
        ],
    )
    tracking_number = forms.CharField(label=_("邮件单号（邮寄）"), max_length=40, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _documents_field(self)


class DeliveryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Delivery) -> str:
        return f"{obj.document.title}（{obj.document.number}，单号 {obj.tracking_number}）"


class ConfirmReceiptForm(_Form):
    delivery = DeliveryChoiceField(label=_("邮寄的文书"), queryset=Delivery.objects.none())
    at = forms.DateField(label=_("回执签收日期"), widget=forms.DateInput(attrs={"type": "date"}))
    signed_by = forms.CharField(label=_("签收人"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [d.pk for d in served.pending_posts(self.user, self.petition)] if self.petition else []
        self.fields["delivery"].queryset = Delivery.objects.filter(pk__in=ids).select_related("document")


class RaiseDisputeForm(_Form):
    units = forms.ModelMultipleChoiceField(
        label=_("有争议的其他单位"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    reason = forms.CharField(label=_("争议情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The units the action accepts (jurisdiction.dispute_units), not every district's.
        units = dispute_units(self.petition) if self.petition is not None else []
        ids = [u.pk for u in units if u.pk != self.petition.handling_unit_id]
        self.fields["units"].queryset = Unit.objects.filter(pk__in=ids).order_by("path")

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data["units"] = list(data["units"])
        return data


class DecideDisputeForm(_Form):
    unit = UnitChoiceField(label=_("决定的受理机关"), queryset=Unit.objects.none())
    decision = forms.CharField(
        label=_("决定（协调）意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        dispute = open_dispute(self.petition) if self.petition is not None else None
        # Only the disputing units (the action refuses any other); none without a dispute.
        self.fields["unit"].queryset = (
            dispute.units.order_by("path") if dispute is not None else Unit.objects.none()
        )
        if dispute is not None and not self.is_bound and self.petition.handling_unit_id:
            self.initial["unit"] = self.petition.handling_unit_id


class ImplementationForm(_Form):
    result = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class StartSettlementForm(_Form):
    kind = forms.ChoiceField(label=_("方式"), choices=SettlementKind.choices, widget=forms.RadioSelect)
    other_party = forms.CharField(label=_("对方当事人"), max_length=100)
    petitioner_consents = forms.BooleanField(label=_("信访人同意"), required=False)
    other_party_consents = forms.BooleanField(label=_("对方当事人同意"), required=False)
    consent_date = forms.DateField(label=_("同意日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("consent_date", timezone.localdate())


class SettleForm(_Form):
    terms = forms.CharField(label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)


class EndSettlementForm(_Form):
    reason = forms.CharField(
        label=_("未达成一致的情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


# name → (form class, title, success message, accesskey), as action_forms.FORMS
FORMS = {
    "deliver": (DeliverForm, _("登记送达（直接、邮寄）"), _("已登记送达"), ""),
    "send_document": (SendForm, _("发送文书（邮寄、网上、短信）"), _("已发送，待签收或打开"), ""),
    "confirm_receipt": (ConfirmReceiptForm, _("登记邮寄回执"), _("已登记签收"), ""),
    "raise_dispute": (RaiseDisputeForm, _("受理争议，提请决定"), _("已提请决定受理机关"), ""),
    "decide_dispute": (DecideDisputeForm, _("决定受理机关"), _("已决定受理机关"), ""),
    "record_implementation": (ImplementationForm, _("登记支持意见落实情况"), _("已登记落实情况"), ""),
    "start_settlement": (StartSettlementForm, _("调解、和解"), _("已开始调解（和解）"), ""),
    "settle": (SettleForm, _("达成协议"), _("已出具协议书"), ""),
    "end_settlement": (EndSettlementForm, _("调解（和解）未成"), _("已结束调解（和解），继续办理"), ""),
}
