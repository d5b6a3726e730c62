"""The JSON API under /api/v1/ (django-ninja).

Other apps add their endpoints without touching this package: write
``xinfang/<app>/api.py`` exposing a ``router = ninja.Router(tags=["…"])``
and list the module in ``EXTENSION_MODULES`` below (already done for the
planned apps).  xinfang/api/urls.py imports each listed module that exists and
mounts it with ``api.add_router(prefix, module.router)``, the prefix being
``module.PREFIX`` when set, else ``/<app>``.  Use ``request.auth`` as the user,
load petitions only through xinfang.petitions.access, and raise ActionError
(or ApiError) for refusals: the error shape is handled here.

Routers must be added before the URLs are built; never call
``api.add_router`` from a view or an AppConfig.ready().
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from . import errors, petitioners, petitions, procedure, reference, transitions
from .auth import AUTH
from .docs import LocalSwagger
from .parser import CleanParser

EXTENSION_MODULES = [
    "xinfang.triage.api",
    "xinfang.reception.api",
    "xinfang.ownership.api",
    "xinfang.hearings.api",
    "xinfang.commitments.api",
    "xinfang.supervision.api",
    "xinfang.stats.api",
    "xinfang.alerts.api",
    "xinfang.documents.api",
    "xinfang.portal.api",
]


class LocalTimeEncoder(NinjaJSONEncoder):
    """Times in Beijing time (+08:00), whether read from the database or not."""

    def default(self, o):
        if isinstance(o, datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes: readable in logs and curl."""

    encoder_class = LocalTimeEncoder
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Xinfang API",
    version="1",
    description=(
        "信访工作平台接口。认证：请求头 `Authorization: Bearer <令牌>`，或浏览器登录会话（非 GET 请求需 CSRF 令牌）。"
        '错误统一为 `{"error": 代码, "message": 中文说明, "fields": {字段: 中文说明}}`。'
    ),
    urls_namespace="api",
    auth=AUTH,
    docs=LocalSwagger(),
    docs_url="/docs",
    renderer=Utf8JSONRenderer(),
    parser=CleanParser(),
)
errors.install(api)

api.add_router("", petitions.router)
api.add_router("", transitions.router)
api.add_router("", procedure.router)
api.add_router("", petitioners.router)
api.add_router("", reference.router)
