"""Workflow steps on the pages of the mechanism apps (reception, ownership,
hearings, commitments, supervision): one form and one URL per action, all run
through `perform_step`, as the petition page runs its actions through
permissions.perform.

A page declares a `StepPage`: how to load its object for the user (the app's
access helper, Http404 when hidden), how to render the page, and a `Step` per
action (form, action function, success message).  `StepPage.urls()` gives one
URL per step, `<prefix><pk>/<step>/`, named `<name_prefix><step>`.  A POST
there loads the object, validates the form and calls the action as
``action(actor=user, **form.params())``.  On success it flashes the message and
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
from django.views.decorators.http import require_POST

from xinfang.petitions.errors import ActionError

INVALID_MESSAGE = "请检查填写的内容"


class StepForm(forms.Form):
    """The form of one step.  Field names are the action's keyword arguments;
    `target` is the keyword under which the action takes the page's object."""

    target = ""

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
            raise Http404("对象不存在或无权查看")
        return found


class EmptyForm(StepForm):
    pass


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
    form: type[StepForm]
    action: Callable[..., Any]
    success: str
    # More to say from the action's result (warnings, counts): called on success.
    after: Callable[[HttpRequest, Any], None] | None = None


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


@dataclass(frozen=True)
class StepPage:
    """The steps of one page.  `render(request, obj, failed=Failed | None, status=int)`
    renders the page; `page` is its URL name (reversed with the object's pk)."""

    page: str
    load: Callable[[Any, int], Any]
    render: Callable[..., HttpResponse]
    steps: dict[str, Step]

    def urls(self, prefix: str = "", name_prefix: str = "") -> list:
        view = login_required(require_POST(self.view))
        return [
            path(f"{prefix}<int:pk>/{name}/", view, {"name": name}, name=f"{name_prefix}{name}")
            for name in self.steps
        ]

    def view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        obj = self.load(request.user, pk)
        return perform_step(request, obj, self.steps[name], name=name, page=self)


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


def perform_step(request: HttpRequest, obj, step: Step, *, name: str, page: StepPage) -> HttpResponse:
    form = step.form(request.POST, user=request.user, obj=obj)
    status = 400
    if form.is_valid():
        try:
            result = step.action(actor=request.user, **form.params())
        except ActionError as exc:
            messages.error(request, describe(exc))
            put_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, step.success)
            if step.after is not None:
                step.after(request, result)
            return redirect(page.page, obj.pk)
    else:
        messages.error(request, invalid_message(form))
    obj = page.load(request.user, obj.pk)  # fresh: the failed action may have changed nothing, or a little
    return page.render(request, obj, failed=Failed(name, form), status=status)
