"""URLs of /api/v1/: the NinjaAPI plus the routers of other apps (see api.py)."""

from __future__ import annotations

import json
from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, re_path
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from xinfang.lib.optional import optional_module

from .api import EXTENSION_MODULES, api
from .docs import docs_asset
from .errors import UNAUTHORIZED_MESSAGE, error_body

PREFIX = "/api/v1/"
# The error code and Chinese message of a status, for replies that lack their own.
STATUS_ERRORS = {
    400: ("invalid", "请求有误，请检查后重试"),
    401: ("unauthorized", UNAUTHORIZED_MESSAGE),
    403: ("forbidden", "您无权执行此操作"),
    404: ("not_found", "对象不存在或无权查看"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "当前状态不允许该操作"),
    413: ("too_large", "请求体过大"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，操作未完成，请稍后重试"),
}
KEEP_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def _chinese(text) -> bool:
    return isinstance(text, str) and any("\u4e00" <= ch <= "\u9fff" for ch in text)


def error_format(response):
    """An error reply in the API's one shape, whatever produced it (a mechanism
    app's own wrapper, Django's CSRF or 404 page): {"error", "message" (中文), "fields"}."""
    if response.status_code < 400 or getattr(response, "streaming", False):
        return response
    body = None
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
    if not isinstance(body, dict):
        body = {}
    if set(body) == {"error", "message", "fields"} and _chinese(body["message"]):
        return response
    code, message = STATUS_ERRORS.get(response.status_code, ("error", "请求无法处理"))
    fields = body.get("fields")
    fixed = json_response(
        error_body(
            body["error"] if isinstance(body.get("error"), str) else code,
            body["message"] if _chinese(body.get("message")) else message,
            fields if isinstance(fields, dict) else {},
        ),
        status=response.status_code,
    )
    for header in KEEP_HEADERS:
        if header in response:
            fixed[header] = response[header]
    return fixed


def mount_extensions() -> list[str]:
    mounted = []
    for module_path in EXTENSION_MODULES:
        module = optional_module(module_path)
        if module is None:
            continue
        app = module_path.split(".")[-2]
        api.add_router(getattr(module, "PREFIX", f"/{app}"), module.router)
        mounted.append(module_path)
    return mounted


@csrf_exempt  # an unknown path answers 404 in JSON, never Django's CSRF page
def not_found(request, rest: str = ""):
    return json_response(error_body("not_found", "接口不存在"), status=404)


def json_errors(view):
    """ninja answers a wrong method with a plain-text 405, and some routers build
    their own error bodies: give every error our shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = json_response(error_body("method_not_allowed", "不支持该请求方法"), status=405)
            response["Allow"] = allowed
        return error_format(response)

    return wrapped


def json_response(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def ninja_urls():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = json_errors(pattern.callback)
    return patterns, app_name, namespace


MOUNTED = mount_extensions()

urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api_docs_asset"),
    path("", ninja_urls()),
    re_path(r"^(?P<rest>.*)$", not_found),
]


def _django_or_json(default, status: int):
    """Django's error handlers for the site; the JSON error format under /api/v1/."""

    def handler(request, *args, **kwargs):
        if request.path.startswith(PREFIX):
            code, message = STATUS_ERRORS[status]
            return json_response(error_body(code, message), status=status)
        return default(request, *args, **kwargs)

    return handler


# Installed as handler400/403/404/500 in xinfang/urls.py (errors raised outside ninja's views).
bad_request = _django_or_json(defaults.bad_request, 400)
permission_denied = _django_or_json(defaults.permission_denied, 403)
page_not_found = _django_or_json(defaults.page_not_found, 404)
server_error = _django_or_json(defaults.server_error, 500)


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: JSON under /api/v1/, Django's page elsewhere."""
    from django.views.csrf import csrf_failure as django_csrf_failure

    if request.path.startswith(PREFIX):
        return json_response(error_body("csrf_failed", "CSRF 校验失败，请刷新页面后重试"), status=403)
    return django_csrf_failure(request, reason=reason)
