"""URLs of /api/v1/: the NinjaAPI plus the routers of other apps (see api.py)."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path, re_path

from xinfang.lib.optional import optional_module

from .api import EXTENSION_MODULES, api
from .docs import docs_asset
from .errors import error_body


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


def not_found(request, rest: str = ""):
    return json_response(error_body("not_found", "接口不存在"), status=404)


def json_errors(view):
    """ninja answers a wrong method with a plain-text 405: give it our error shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = json_response(error_body("method_not_allowed", "不支持该请求方法"), status=405)
            response["Allow"] = allowed
        return response

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
