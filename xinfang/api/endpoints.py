"""Declaring the API endpoints of the mechanism apps (reception, ownership,
hearings, commitments, supervision) that call an action, with one error
mapping for them all.

    steps = ActionRoutes(router, "/notices/{notice_id}", get_notice_for, None, NoticeOut)
    steps.post("reply", actions.notice_reply, ReplyIn, summary="书面回复")

declares POST /notices/{notice_id}/reply: the caller's object is loaded through
the app's access helper (404 when hidden) and the action is called as
``action(actor=user, notice=obj, **payload)`` in one transaction (or with what
`args(user, obj, payload, **path)` returns); the answer is the object loaded
again, read by the `out` schema (through `present(obj, user)` when given), or
`result=(function, schema)` of what the action created.  Refusals answer as the project API does everywhere
(xinfang.api.errors): {"error", "message", "fields"} with the status of
`errors.status_for` (400, 401, 403, 404, 409).

The endpoints map errors themselves rather than relying on the project API's
handlers, so a router answers the same when mounted in /api/v1/ and under
ninja's TestClient (which wraps a router in a bare NinjaAPI).
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status

from xinfang.accounts.models import User
from xinfang.petitions.errors import ActionError

from .errors import UNAUTHORIZED_MESSAGE, error_body, status_for
from .schemas import ERRORS

NOT_FOUND = "对象不存在或无权查看"


class NotAuthenticated(ActionError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("unauthorized", UNAUTHORIZED_MESSAGE)


def caller(request) -> User:
    """The authenticated user: the project API's auth result (request.auth), else the
    session user (ninja's TestClient sets only request.user); 401 for anyone else."""
    auth = getattr(request, "auth", None)
    user = auth if isinstance(auth, User) else getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise NotAuthenticated()
    return user


def error_answer(exc: ActionError | Http404) -> Status:
    if isinstance(exc, Http404):
        text = str(exc)
        message = text if any("\u4e00" <= ch <= "\u9fff" for ch in text) else NOT_FOUND
        return Status(404, error_body("not_found", message))
    return Status(status_for(exc), error_body(exc.code, exc.message, exc.fields))


def mapped_errors(view: Callable) -> Callable:
    """Decorate an endpoint: ActionError and Http404 answer in the project's error shape."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (ActionError, Http404) as exc:
            return error_answer(exc)

    # ninja resolves string annotations in the wrapper's module: hand it the types.
    hints = typing.get_type_hints(view)
    signature = inspect.signature(view)
    wrapper.__signature__ = signature.replace(
        parameters=[
            p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
        ]
    )
    return wrapper


def _signature(path: str, schema: type[Schema] | None) -> inspect.Signature:
    """(request, <each {name} of the path>: int[, payload: schema]) for ninja to read."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("request", kind)]
    params += [
        inspect.Parameter(name, kind, annotation=int) for name in re.findall(r"{(?:int:)?(\w+)}", path)
    ]
    if schema is not None:
        params.append(inspect.Parameter("payload", kind, annotation=schema))
    return inspect.Signature(params)


class ActionRoutes:
    """The action endpoints under one object path (see the module docstring)."""

    def __init__(
        self,
        router: Router,
        prefix: str,
        load: Callable[[User, int], Any],
        present: Callable[[Any, User], Any] | None,
        out: type[Schema],
    ) -> None:
        self.router, self.prefix, self.load, self.present, self.out = router, prefix, load, present, out
        self.id_name = re.findall(r"{(?:int:)?(\w+)}", prefix)[0]
        # The action takes the object under the path parameter's noun: {notice_id} → notice=.
        self.target = self.id_name.removesuffix("_id")

    def post(
        self,
        path: str,
        action: Callable[..., Any],
        schema: type[Schema] | None = None,
        *,
        summary: str,
        args: Callable[..., dict] | None = None,
        result: tuple[Callable[[Any], dict], type[Schema]] | None = None,
        status: int | None = None,
    ) -> Callable:
        """Declare POST <prefix>/<path>.  With `result` the answer is what the action
        created (201 unless `status` says otherwise), else the object (200)."""
        full = f"{self.prefix}/{path}"
        status = status or (201 if result is not None else 200)

        def view(request, **params):
            try:
                user = caller(request)
                pk = params.pop(self.id_name)
                payload = params.pop("payload", None)
                with transaction.atomic():
                    obj = self.load(user, pk)
                    if args is not None:
                        arguments = args(user, obj, payload, **params)
                    else:
                        arguments = {self.target: obj, **(payload.model_dump() if payload else {})}
                    done = action(actor=user, **arguments)
                if result is not None:
                    return Status(status, result[0](done))
                fresh = self.load(user, pk)
                return Status(status, fresh if self.present is None else self.present(fresh, user))
            except (ActionError, Http404) as exc:
                return error_answer(exc)

        # ninja names the operation after the view's module and name.
        view.__name__ = view.__qualname__ = action.__name__
        view.__module__ = action.__module__
        view.__signature__ = _signature(full, schema)
        out = result[1] if result is not None else self.out
        self.router.post(full, response={status: out, **ERRORS}, summary=summary)(view)
        return view
