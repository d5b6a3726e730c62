"""Every API error has one shape: {"error": code, "message": 中文说明, "fields": {field: 中文}}.

The handlers here are installed on the NinjaAPI in api.py.  Validation errors
from pydantic are translated field by field into Chinese; field paths are
dotted ("petitioners.0.id_number"), the same keys the actions use.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from xinfang.petitions.errors import ActionError

logger = logging.getLogger("xinfang.api")

INVALID_MESSAGE = "提交的信息有误，请按提示修改"
NOT_FOUND_MESSAGE = "信访事项不存在或无权查看"
UNAUTHORIZED_MESSAGE = "未登录或接口令牌无效：请在请求头提供 Authorization: Bearer <令牌>，或先登录"

# ActionError codes whose HTTP status differs from the class default.
STATUS_BY_CODE = {"idempotency_conflict": 409, "wrong_state": 409}

PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class ApiError(ActionError):
    """An error raised by the API layer itself, with its own status code."""

    def __init__(self, status_code: int, code: str, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(code, message, fields=fields)
        self.status_code = status_code


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    return {"error": code, "message": message, "fields": fields or {}}


def status_for(exc: ActionError) -> int:
    """The HTTP status of an action's refusal (one mapping for every endpoint)."""
    return exc.status_code if isinstance(exc, ApiError) else STATUS_BY_CODE.get(exc.code, exc.status_code)


def _expected(ctx: dict) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", "、").replace(", ", "、").replace("'", "")


def translate(error: dict) -> str:
    """A Chinese message for one pydantic error dict (type, msg, ctx)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    simple = {
        "missing": "此项为必填项",
        "string_type": "应为文本",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "int_parsing_size": "数值超出范围",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "decimal_parsing": "应为数字",
        "bool_parsing": "应为是或否（true 或 false）",
        "bool_type": "应为是或否（true 或 false）",
        "datetime_parsing": "时间格式不正确，应为 ISO 8601 格式，例如 2026-01-05T09:30:00+08:00",
        "datetime_type": "时间格式不正确，应为 ISO 8601 格式，例如 2026-01-05T09:30:00+08:00",
        "datetime_from_date_parsing": "时间格式不正确，应为 ISO 8601 格式，例如 2026-01-05T09:30:00+08:00",
        "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
        "date_type": "日期格式不正确，应为 YYYY-MM-DD",
        "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
        "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不含时间",
        "list_type": "应为列表",
        "dict_type": "应为对象",
        "model_type": "应为对象",
        "model_attributes_type": "应为对象",
        "extra_forbidden": "不支持该字段",
        "json_invalid": "不是有效的 JSON",
        "json_type": "不是有效的 JSON",
        "string_pattern_mismatch": "格式不正确",
        "string_unicode": "应为有效的文本",
        "none_required": "此项应为空",
        "union_tag_invalid": "取值不正确",
    }
    if kind in simple:
        return simple[kind]
    if kind in {"enum", "literal_error"}:
        return f"取值不正确，可选值：{_expected(ctx)}"
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字符"
    if kind == "string_too_short":
        return "此项不能为空" if ctx.get("min_length") == 1 else f"不能少于{ctx.get('min_length')}个字符"
    if kind == "too_short":
        return "至少填写一项" if ctx.get("min_length") == 1 else f"至少填写{ctx.get('min_length')}项"
    if kind == "too_long":
        return f"最多{ctx.get('max_length')}项"
    if kind == "greater_than_equal":
        return f"不能小于{ctx.get('ge')}"
    if kind == "greater_than":
        return f"应大于{ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"不能大于{ctx.get('le')}"
    if kind == "less_than":
        return f"应小于{ctx.get('lt')}"
    message = str(error.get("msg", ""))
    # Our own validators raise PydanticCustomError / ValueError with Chinese text.
    message = message.removeprefix("Value error, ")
    if any("\u4e00" <= ch <= "\u9fff" for ch in message):
        return message
    return "输入不正确"


def field_path(loc: tuple | list) -> str:
    """("body", "payload", "petitioners", 0, "name") → "petitioners.0.name"."""
    parts = list(loc)
    if parts and parts[0] in PARAM_SOURCES:
        source = parts.pop(0)
        # A body schema is nested under its parameter name; query and path
        # parameters are flattened by ninja and keep their own names.
        if source == "body" and len(parts) > 1:
            parts.pop(0)
        elif source == "body" and parts:
            return "body"
        elif source != "body":
            # Query and path parameters are flat: drop a schema's parameter
            # name ("filters") and list indexes ("status.0").
            if len(parts) > 1 and isinstance(parts[1], str):
                parts.pop(0)
            parts = [p for p in parts if not isinstance(p, int)]
    return ".".join(str(p) for p in parts) or "body"


def validation_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(field_path(error.get("loc", ())), translate(error))
    return fields


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers with ones that speak our error shape."""

    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="xinfang"'
        return response

    def on_validation(request, exc: ValidationError):
        return respond(request, 400, error_body("invalid", INVALID_MESSAGE, validation_fields(exc.errors)))

    def on_action(request, exc: ActionError):
        return respond(request, status_for(exc), error_body(exc.code, exc.message, exc.fields))

    def on_404(request, exc: Http404):
        message = str(exc) if str(exc) and any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)) else None
        return respond(request, 404, error_body("not_found", message or NOT_FOUND_MESSAGE))

    def on_auth(request, exc: AuthenticationError):
        return respond(request, 401, error_body("unauthorized", UNAUTHORIZED_MESSAGE))

    def on_permission(request, exc: PermissionDenied):
        return respond(request, 403, error_body("forbidden", "您无权执行此操作"))

    def on_http(request, exc: HttpError):
        if isinstance(exc, Throttled):
            return respond(request, 429, error_body("throttled", "请求过于频繁，请稍后再试"))
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return respond(
                request, 400, error_body("invalid_json", "请求体不是有效的 JSON", {"body": "不是有效的 JSON"})
            )
        if exc.status_code == 403:
            return respond(request, 403, error_body("forbidden", "您无权执行此操作"))
        if exc.status_code == 404:
            return on_404(request, Http404())
        return respond(request, exc.status_code, error_body("error", "请求无法处理"))

    def on_overflow(request, exc: OverflowError):
        # A number too large for the database (ids, counts) in a schema not yet bounded.
        return respond(request, 400, error_body("invalid", "数值超出范围", {}))

    def on_exception(request, exc: Exception):
        # Never leak a traceback or personal data: log the type and the path only.
        logger.exception("API error %s on %s %s", type(exc).__name__, request.method, request.path)
        return respond(request, 500, error_body("server_error", "服务器内部错误，操作未完成，请稍后重试"))

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(ActionError, on_action)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(OverflowError, on_overflow)
    api.add_exception_handler(Exception, on_exception)
