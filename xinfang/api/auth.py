"""Who is calling: a bearer token (scripts, other systems) or the browser session.

`Authorization: Bearer <token>` is checked against accounts.ApiToken; a
request that carries an Authorization header never falls back to the session,
so a bad token is a 401 even from a logged-in browser.  The session is
accepted for the browser with Django's CSRF check on unsafe methods.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from xinfang.accounts.models import ApiToken, hash_token

from .errors import ApiError

TOUCH_INTERVAL = 60  # seconds: last_used_at is written at most once a minute per token
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

# token hash → monotonic time of our last write; saves the UPDATE on most calls.
_touched: dict[str, float] = {}


def touch_token(raw: str) -> None:
    """Record use of a token, at most once a minute (per process, and in the
    database through a conditional update, so several processes agree)."""
    digest = hash_token(raw)
    now = time.monotonic()
    if now - _touched.get(digest, float("-inf")) < TOUCH_INTERVAL:
        return
    _touched[digest] = now
    stamp = timezone.now()
    cutoff = stamp - timedelta(seconds=TOUCH_INTERVAL)
    ApiToken.objects.filter(token_hash=digest).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff)
    ).update(last_used_at=stamp)


class BearerAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        # ninja's HttpBearer logs a header of another scheme in full at ERROR
        # level when DEBUG is on: a token sent as "Token xf_…" ended up in the log.
        scheme, _, token = (request.headers.get(self.header) or "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token or len(token) > 200:
            return None
        user = ApiToken.authenticate(token)
        if user is None:
            return None
        touch_token(token)
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, with the CSRF check on unsafe methods.

    Unlike ninja's own SessionAuth, the CSRF check runs only for a logged-in
    session, so an anonymous POST is a 401, not a CSRF 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest):
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", "CSRF 校验失败，请刷新页面后重试")
        return user

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover - __call__ decides
        return None


bearer_auth = BearerAuth()
session_auth = SessionAuth()
AUTH = [bearer_auth, session_auth]
