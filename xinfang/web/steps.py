"""Workflow steps on the pages of the mechanism apps (reception, ownership,
hearings, commitments, supervision): one form and one URL per action, all run
through `perform_step`, as the petition page runs its actions through
permissions.perform.

Each step is a form declared with `@step(name, action, success)`; the forms of
one page derive from one base form.  A page declares a `StepPage`: its URL
name, how to load its object for the user (the app's access helper, Http404
when hidden), how to render it, and that base form.  `StepPage.urls()` gives
the page's URL, `<prefix><pk>/`, and one URL per step, `<prefix><pk>/<step>/`
named `<name_prefix><step>`.  A POST there loads the object, validates the
form and calls the action as ``action(actor=user, **form.params())``.  On success it flashes the message and
redirects to the page; on an invalid form or an ActionError it flashes the
Chinese message, puts the field errors on the form and renders the page again
with the form bound and the error's status (400, 403, 409)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from xinfang.petitions.errors import ActionError

INVALID_MESSAGE = _("请检查填写的内容")


class StepForm(forms.Form):
    """The form of one step.  Field names are the action's keyword arguments;
    `target` is the keyword under which the action takes the page's object;
    `step` is set by the @step declaration."""

    target = ""
    step: Step

    def __init__(self, *args, user=None, obj=None, **kwargs):
        self.user, self.obj = user, obj
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        """The action's keyword arguments (besides `actor`)."""
        return {self.target: self.obj, **self.cleaned_data} if self.target else dict(self.cleaned_data)

    def child(self, qs, field: str):
        """The row of `qs` (a child of the page's object) picked by `field`: a 404 when
        it is not there, as for the page's own object."""
        found = qs.filter(pk=self.cleaned_data.get(field)).first()
        if found is None:
            raise Http404(_("对象不存在或无权查看"))
        return found


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def text_field(
    label: str, *, required: bool = True, max_length: int = 4000, rows: int = 3
) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


@dataclass(frozen=True)
class Step:
    name: str
    action: Callable[..., Any]
    success: str
    # More to say from the action's result (warnings, counts): called on success.
    after: Callable[[HttpRequest, Any], None] | None = None


def step(name: str, action: Callable[..., Any], success: str, *, after=None):
    """Class decorator: the form is the step `name` of its page, running `action`."""

    def declare(form_class: type[StepForm]) -> type[StepForm]:
        form_class.step = Step(name, action, success, after)
        return form_class

    return declare


def _declared(base: type) -> list[type[StepForm]]:
    found = [base] if "step" in base.__dict__ else []
    for sub in base.__subclasses__():
        found += _declared(sub)
    return found


@dataclass(frozen=True)
class Failed:
    """The step that failed, with its bound form (errors on it), for the page to show."""

    name: str
    form: StepForm

    @property
    def errors(self) -> dict[str, str]:
        """Field name → first message (what the hand-written forms show beside a field)."""
        return {field: str(errs[0]) for field, errs in self.form.errors.items() if errs}

    @property
    def data(self):
        return self.form.data


class StepPage:
    """A record's page and its steps.  `render(request, obj, failed=Failed | None,
    status=int)` renders the page; `page` is its URL name ("app:name")."""

    def __init__(self, page: str, load: Callable[[Any, int], Any], render: Callable, base: type[StepForm]):
        self.page, self.load, self.render = page, load, render
        self.forms = {form.step.name: form for form in _declared(base)}

    def urls(self, prefix: str = "", name_prefix: str = "") -> list:
        show = login_required(require_safe(self.show))
        act = login_required(require_POST(self.act))
        return [path(f"{prefix}<int:pk>/", show, name=self.page.partition(":")[2])] + [
            path(f"{prefix}<int:pk>/{name}/", act, {"name": name}, name=f"{name_prefix}{name}")
            for name in self.forms
        ]

    def show(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render(request, self.load(request.user, pk))

    def act(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        return perform_step(request, self.load(request.user, pk), self.forms[name], page=self)


def describe(exc: ActionError) -> str:
    """The Chinese message, with the field messages the form may not show."""
    detail = "；".join(str(v) for v in exc.fields.values() if str(v) not in exc.message)
    return f"{exc.message}（{detail}）" if detail else exc.message


def invalid_message(form: forms.Form) -> str:
    parts = []
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label}：{' '.join(errs)}" if label else " ".join(errs))
    return f"{INVALID_MESSAGE}：{'；'.join(parts)}" if parts else INVALID_MESSAGE


def put_errors(form: forms.Form, exc: ActionError) -> None:
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, message)


def perform_step(request: HttpRequest, obj, form_class: type[StepForm], *, page: StepPage) -> HttpResponse:
    form, declared = form_class(request.POST, user=request.user, obj=obj), form_class.step
    status = 400
    if form.is_valid():
        try:
            result = declared.action(actor=request.user, **form.params())
        except ActionError as exc:
            messages.error(request, describe(exc))
            put_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, declared.success)
            if declared.after is not None:
                declared.after(request, result)
            return redirect(page.page, obj.pk)
    else:
        messages.error(request, invalid_message(form))
    obj = page.load(request.user, obj.pk)  # fresh, in case the failed action changed something
    return page.render(request, obj, failed=Failed(declared.name, form), status=status)
