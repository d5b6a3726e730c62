"""Shared by the reception, ownership and commitments API routers.

The routers carry no auth of their own: the project API (xinfang.api) decides
how callers authenticate.  `api_user` accepts what it provides — a User in
`request.auth`, a token row with `.user`, or a session user — and refuses
anonymous callers.  `api_errors` turns ActionError / Http404 into the
project's JSON error body {"error", "message", "fields"}.
"""

from __future__ import annotations

import functools

from django.http import Http404, JsonResponse
from ninja import Schema

from xinfang.accounts.models import User
from xinfang.petitions.errors import ActionError


class ErrorOut(Schema):
    error: str
    message: str
    fields: dict[str, str] = {}


class NotAuthenticated(ActionError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("unauthenticated", "请先登录或提供有效的接口令牌")


def api_user(request) -> User:
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        user = auth
    elif isinstance(getattr(auth, "user", None), User):
        user = auth.user
    else:
        user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise NotAuthenticated()
    return user


def error_response(code: str, message: str, status: int, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": code, "message": message, "fields": fields or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def api_errors(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ActionError as exc:
            return error_response(exc.code, exc.message, exc.status_code, exc.fields)
        except Http404 as exc:
            return error_response("not_found", str(exc) or "对象不存在或无权查看", 404)

    return wrapper


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
