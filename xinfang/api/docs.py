"""The API docs page with Swagger UI served from the installed django-ninja
package, never from a CDN (installations are often offline)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"}

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" href="{icon}" type="image/svg+xml">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


def asset_url(name: str) -> str:
    return reverse("api_docs_asset", kwargs={"name": name})


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout", "deepLinking": True}
        html = PAGE.format(
            title=escape(api.title),
            css=asset_url("swagger-ui.css"),
            icon=asset_url("favicon.svg"),
            csrf=escape(get_token(request)),
            # json.dumps does not escape "</": do it so the settings cannot close the script tag.
            settings=json.dumps(settings).replace("</", "<\\/"),
            bundle=asset_url("swagger-ui-bundle.js"),
            init=asset_url("swagger-ui-init.js"),
        )
        return HttpResponse(html)


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
