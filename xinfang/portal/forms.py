"""Portal forms: Chinese labels and messages, validation mirrors the register action."""

from __future__ import annotations

from django import forms
from django.conf import settings

from xinfang.lib.crypto import normalise
from xinfang.lib.idcard import is_valid_id_number, is_valid_phone
from xinfang.petitions.choices import EvaluationStage, Rating
from xinfang.units import bureaus, places
from xinfang.units.models import Category, Unit, UnitKind, UnitLevel

MAX_FILES = 5

REQUIRED = {"required": "此项为必填项"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files; each is checked again by attachment_add."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"最多上传{MAX_FILES}个附件")
        limit = settings.ATTACHMENT_MAX_BYTES
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(f"附件“{upload.name[:40]}”超过{limit // (1024 * 1024)}MB")
        return files


class CaptchaMixin(forms.Form):
    captcha_id = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha = forms.CharField(
        label="验证码",
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


def town_choices() -> list[tuple[str, str]]:
    towns = Unit.objects.filter(kind=UnitKind.TERRITORIAL, level=UnitLevel.TOWN, is_active=True).order_by(
        "code"
    )
    return [("", "请选择乡镇（街道）")] + [(str(u.pk), u.name) for u in towns]


AREA_PREFIX = "b"  # "b<bureau id>": the whole area of a county-level bureau, town not known


def place_choices() -> list:
    """With several bureaus: the county-level areas, each followed by its towns
    (连云港市 › 海州区 › 新海街道 …).  A town's value is its id; an area's is
    "b<its bureau's id>", for a matter of the area whose town is not known."""
    choices: list = [("", "请选择区县或乡镇（街道）")]
    for group in places.place_groups():
        options = [
            (
                f"{AREA_PREFIX}{group.bureau.pk}",
                f"{group.label}（全{group.label[-1:]}或不确定具体乡镇、街道）",
            )
        ]
        options += [(str(t.pk), t.name) for t in group.towns]
        choices.append((group.label, options))
    return choices


def bureau_choices() -> list[tuple[str, str]]:
    return [("", "不直接选择（按事项所在地确定）")] + [(str(b.pk), b.name) for b in bureaus.all_bureaus()]


def category_choices() -> list[tuple[str, str]]:
    rows = Category.objects.filter(is_active=True).select_related("parent").order_by("code")
    return [("", "不确定（由工作人员分类）")] + [
        (str(c.pk), f"{c.parent.name} / {c.name}" if c.parent_id else c.name) for c in rows
    ]


class SubmitForm(CaptchaMixin):
    # One per rendered form (submit_token.py): posting it twice gives one petition.
    submit_token = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="姓名", max_length=100, error_messages=REQUIRED)
    id_number = forms.CharField(label="身份证号码", max_length=24, error_messages=REQUIRED)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        error_messages=REQUIRED,
        help_text="填写手机号码可收到短信通知；固定电话不能接收短信，请保存好提交后显示的编号和查询码。",
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(label="住址", max_length=200, error_messages=REQUIRED)
    email = forms.EmailField(
        label="电子邮箱（选填）", required=False, error_messages={"invalid": "电子邮箱格式不正确"}
    )
    town = forms.ChoiceField(label="问题发生地（乡镇、街道）", error_messages=REQUIRED)
    # Shown only when the installation has several bureaus (a city's and its districts').
    bureau = forms.ChoiceField(
        label="或直接选择受理的信访部门（选填）",
        required=False,
        help_text="不清楚事项所在地时，可以直接选择向哪个信访部门反映。",
    )
    category = forms.ChoiceField(label="问题类别（选填）", required=False)
    # One plain narrative is all a petitioner must write; the structured fields
    # (title, request, facts) are optional and folded away on the page.
    content = forms.CharField(
        label="您反映的问题",
        help_text="请写明发生了什么、在哪里、涉及谁，以及希望怎样解决。",
        error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    title = forms.CharField(label="标题（一句话概括）", required=False)
    request = forms.CharField(
        label="诉求（希望解决什么问题）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    facts_reasons = forms.CharField(
        label="事实和理由", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = MultipleFileField(label="证明材料（选填，PDF、图片或Word，最多5个）", required=False)
    truthful = forms.BooleanField(
        label="本人承诺所反映情况客观真实，对所提供材料内容的真实性负责（《信访工作条例》第十九条）",
        error_messages={"required": "请阅读并勾选承诺"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.several_bureaus = places.several_bureaus()
        if self.several_bureaus:
            # The matter is registered at the bureau of the place it concerns
            # (issue 14): the petitioner picks the district or town, or the bureau.
            town = self.fields["town"]
            town.label = "事项所在地（区县、乡镇街道）"
            town.required = False
            town.choices = place_choices()
            town.help_text = "您的信访事项将由所选地方的信访部门登记办理。"
            self.fields["bureau"].choices = bureau_choices()
        else:
            self.fields["town"].choices = town_choices()
            del self.fields["bureau"]
        self.fields["category"].choices = category_choices()
        for field in ("town", "category", "bureau"):
            if field not in self.fields:
                continue
            self.fields[field].error_messages["invalid_choice"] = "所选项目不存在，请重新选择"
        # The captcha fields come last on the page.
        self.order_fields([name for name in self.fields if not name.startswith("captcha")])

    # Limits are checked here, not by the browser: a maxlength attribute would cut
    # a pasted text silently.
    LIMITS = {"title": 60, "request": 2000, "facts_reasons": 5000, "content": 10000}

    def clean(self):
        cleaned = super().clean()
        for name, limit in self.LIMITS.items():
            value = cleaned.get(name) or ""
            if len(value) > limit:
                self.add_error(name, f"不能超过{limit}字（现有{len(value)}字），请精简后再提交")
        return cleaned

    def place(self) -> tuple[int | None, int | None]:
        """(town_id, bureau_id) for the register action, from the cleaned picker values."""
        value = self.cleaned_data.get("town") or ""
        bureau = self.cleaned_data.get("bureau") or ""
        town_id = bureau_id = None
        if value.startswith(AREA_PREFIX):
            bureau_id = int(value[len(AREA_PREFIX) :])
        elif value:
            town_id = int(value)
        if bureau:
            bureau_id = int(bureau)  # the bureau chosen directly wins
        return town_id, bureau_id

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_id_number(self) -> str:
        value = normalise(self.cleaned_data["id_number"])
        if not is_valid_id_number(value):
            raise forms.ValidationError("身份证号码格式或校验位不正确")
        return value

    def clean_phone(self) -> str:
        value = normalise(self.cleaned_data["phone"])
        if not is_valid_phone(value):
            raise forms.ValidationError("电话号码格式不正确，请填写11位手机号码或带区号的固定电话")
        return value


class LookupForm(forms.Form):
    case_number = forms.CharField(label="信访件编号", max_length=40, error_messages=REQUIRED)
    query_code = forms.CharField(
        label="查询码",
        max_length=20,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_case_number(self) -> str:
        return self.cleaned_data["case_number"].strip()

    def clean_query_code(self) -> str:
        return normalise(self.cleaned_data["query_code"])


class EvaluateForm(forms.Form):
    stage = forms.ChoiceField(
        label="评价环节",
        choices=EvaluationStage.choices,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "评价环节不正确", **REQUIRED},
    )
    rating = forms.ChoiceField(
        label="满意度",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意度", "invalid_choice": "请选择满意度"},
    )
    comment = forms.CharField(
        label="意见和建议（选填）", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label="请求事项和理由",
        max_length=5000,
        error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
