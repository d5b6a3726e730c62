"""Forms of the registration desk.  They only parse and type the input; the
rules (ID check digits, Art. 20 representatives, …) live in the actions,
whose field errors are put back on these forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.petitions import limits
from xinfang.petitions.actions import PetitionerInput, PetitionInput
from xinfang.petitions.choices import Channel, OnlineSource, PetitionClass, PetitionerKind
from xinfang.units.models import Category, Unit, UnitKind, UnitLevel
from xinfang.units.places import route_targets, user_bureau

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        depth = max(obj.path.count("/") - 2, 0)
        return "\u3000" * depth + obj.name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj)


def unit_choices_by_kind(units, lower_bureaus=()) -> list:
    """Select choices grouped by kind (属地, 职能部门 …), each group in tree order;
    the lower bureaus a matter can be sent down to come first (下级信访部门)."""
    groups: dict[str, list] = {kind: [] for kind in UnitKind.values}
    for unit in units:
        groups[unit.kind].append((unit.pk, unit.name))
    labels = dict(UnitKind.choices)
    down = [(_("下级信访部门"), [(b.pk, b.name) for b in lower_bureaus])] if lower_bureaus else []
    return [("", "—")] + down + [(labels[kind], options) for kind, options in groups.items() if options]


def route_field_setup(field: forms.ModelChoiceField, bureau) -> None:
    """Offer the routing targets of `bureau`'s desk (places.route_targets): its
    lower bureaus and the units of its own area, never a sibling area's."""
    lower, units = route_targets(bureau)
    field.queryset = Unit.objects.filter(pk__in=[u.pk for u in (*lower, *units)])
    field.choices = unit_choices_by_kind(units, lower)


def category_queryset():
    return Category.objects.filter(is_active=True).select_related("parent").order_by("code")


class DeskForm(forms.Form):
    channel = forms.ChoiceField(label=_("信访渠道"), choices=Channel.choices, initial=Channel.VISIT)
    source = forms.ChoiceField(
        label=_("来源（网上信访）"), choices=[("", "—")] + OnlineSource.choices, required=False
    )
    received_at = forms.DateTimeField(
        label=_("收到时间"),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    head_count = forms.IntegerField(label=_("人数"), min_value=1, max_value=100000, required=False)
    title = forms.CharField(label=_("标题"), max_length=200)
    request = forms.CharField(label=_("诉求"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    facts_reasons = forms.CharField(
        label=_("事实和理由"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    content = forms.CharField(
        label=_("信访内容"), max_length=limits.CONTENT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 6})
    )
    town = UnitChoiceField(label=_("问题属地（乡镇、街道）"), queryset=Unit.objects.none(), required=False)
    place_address = forms.CharField(label=_("问题发生地址"), max_length=200, required=False)
    respondent_unit = UnitChoiceField(label=_("被反映单位"), queryset=Unit.objects.none(), required=False)
    respondent_person = forms.CharField(label=_("被反映人"), max_length=60, required=False)
    category = CategoryChoiceField(label=_("分类"), queryset=Category.objects.none(), required=False)
    petition_class = forms.ChoiceField(
        label=_("类别"), choices=[("", _("暂不确定"))] + PetitionClass.choices, required=False
    )
    is_litigation = forms.BooleanField(label=_("涉法涉诉"), required=False)
    is_urgent = forms.BooleanField(label=_("重大紧急"), required=False)
    # 登记并转送: where the bureau sends the matter in the same step (Art. 22).
    route_unit = UnitChoiceField(label=_("转送至"), queryset=Unit.objects.none(), required=False)
    route_assign = forms.BooleanField(label=_("交办（要求报送办理结果）"), required=False)
    route_reason = forms.CharField(label=_("转送说明"), max_length=500, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        route_field_setup(self.fields["route_unit"], user_bureau(user))
        self.fields["town"].queryset = Unit.objects.active().filter(
            kind=UnitKind.TERRITORIAL, level__in=[UnitLevel.TOWN, UnitLevel.COMMUNITY]
        )
        self.fields["respondent_unit"].queryset = Unit.objects.active()
        self.fields["category"].queryset = category_queryset()
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))


@dataclass
class PetitionerRow:
    """One petitioner row of the desk form, with its errors by field."""

    name: str = ""
    kind: str = PetitionerKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def as_input(self) -> PetitionerInput:
        return PetitionerInput(
            name=self.name,
            kind=self.kind,
            id_number=self.id_number,
            phone=self.phone,
            address=self.address,
            is_representative=self.is_representative,
        )


ROW_KEY = re.compile(r"^p-(\d{1,3})-name$")
MAX_ROWS = 200


def petitioner_rows(data) -> list[PetitionerRow]:
    """Rows `p-<n>-name`, `p-<n>-id_number`, … in the order of n; rows left
    completely empty are dropped (the JS may leave a blank one)."""
    indices = sorted({int(m.group(1)) for key in data for m in [ROW_KEY.match(key)] if m})[:MAX_ROWS]
    rows = []
    for i in indices:

        def get(name: str, i=i) -> str:
            return (data.get(f"p-{i}-{name}") or "").strip()

        kind = get("kind") if get("kind") in PetitionerKind.values else PetitionerKind.PERSON
        row = PetitionerRow(
            name=get("name")[:100],
            kind=kind,
            id_number=get("id_number")[:40],
            phone=get("phone")[:40],
            address=get("address")[:200],
            is_representative=bool(data.get(f"p-{i}-rep")),
        )
        if row.name or row.id_number or row.phone or row.address:
            rows.append(row)
    return rows


def build_input(form: DeskForm, rows: list[PetitionerRow]) -> PetitionInput:
    data = form.cleaned_data
    return PetitionInput(
        channel=data["channel"],
        source=data["source"] if data["channel"] == Channel.ONLINE else "",
        received_at=data["received_at"],
        title=data["title"],
        request=data["request"],
        facts_reasons=data["facts_reasons"],
        content=data["content"],
        petitioners=[row.as_input() for row in rows],
        town_id=data["town"].pk if data["town"] else None,
        place_address=data["place_address"],
        respondent_unit_id=data["respondent_unit"].pk if data["respondent_unit"] else None,
        respondent_person=data["respondent_person"],
        category_id=data["category"].pk if data["category"] else None,
        petition_class=data["petition_class"],
        is_litigation=data["is_litigation"],
        is_urgent=data["is_urgent"],
        head_count=data["head_count"],
    )


# Field names of PetitionInput errors that differ from the form's.
FIELD_ALIASES = {"town_id": "town", "respondent_unit_id": "respondent_unit", "category_id": "category"}


def apply_errors(form: DeskForm, rows: list[PetitionerRow], fields: dict[str, str]) -> list[str]:
    """Put an action's field errors on the form and the rows; returns the
    errors that belong to no single field (shown above the petitioners or at
    the top)."""
    loose = []
    for key, message in fields.items():
        parts = key.split(".")
        if parts[0] == "petitioners" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            rows[int(parts[1])].errors[parts[2]] = message
            continue
        name = FIELD_ALIASES.get(key, key)
        if name in form.fields:
            form.add_error(name, message)
        else:
            loose.append((key, message))
    return loose
