"""POST handlers of the workflow actions on the petition page (one URL per
action name; each parses its form and calls the action through
permissions.perform)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.petitions.access import can_see, get_petition_for
from xinfang.petitions.actions.approval import returned_draft
from xinfang.petitions.errors import ActionError

from ..action_forms import FORMS, SEPARATE_PAGE
from ..approval_actions import OpinionForm
from ..permissions import available_actions, perform
from .petition import page_context


def put_errors(form, exc: ActionError) -> None:
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, message)
    if exc.message not in form.non_field_errors():
        form.add_error(None, exc.message)


def opinion_context(petition, form) -> dict:
    """The opinion page: the form, and the leader's return it answers, if any."""
    return {"petition": petition, "form": form, "returned": returned_draft(petition)}


def _render(request, petition, name: str, form, status: int):
    if name in SEPARATE_PAGE:
        return render(request, "web/opinion.html", opinion_context(petition, form), status=status)
    return render(
        request, "web/petition.html", page_context(request, petition, bound=(name, form)), status=status
    )


@login_required
@require_POST
def petition_action(request, pk: int, name: str):
    if name not in FORMS:
        raise Http404
    petition = get_petition_for(request.user, pk)
    form_class, _title, success, _key = FORMS[name]
    form = form_class(request.POST, user=request.user, petition=petition, auto_id=f"id_{name}_%s")
    status = 400
    if form.is_valid():
        try:
            perform(request.user, petition, name, **form.params())
        except ActionError as exc:
            put_errors(form, exc)
            messages.error(request, exc.message)
            status = exc.status_code
        else:
            messages.success(request, success)
            if can_see(request.user, petition):
                return redirect("petition", pk=petition.pk)
            return redirect("home")
    else:
        messages.error(request, _("提交的信息有误，请按提示修改"))
    petition.refresh_from_db()
    return _render(request, petition, name, form, status)


@login_required
@require_http_methods(["GET"])
def opinion_page(request, pk: int):
    """The long form of the opinion (信访处理意见书, Art. 32); it posts to
    petition_action("draft_opinion")."""
    petition = get_petition_for(request.user, pk)
    if "draft_opinion" not in available_actions(request.user, petition):
        return render(
            request,
            "web/forbidden.html",
            {"message": _("当前不能拟写意见书"), "petition": petition},
            status=403,
        )
    form = OpinionForm(user=request.user, petition=petition, auto_id="id_draft_opinion_%s")
    return render(request, "web/opinion.html", opinion_context(petition, form))
