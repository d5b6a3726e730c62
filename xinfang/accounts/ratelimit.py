"""Counting attempts in the shared cache (login, portal submissions)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # never store the raw phone/IP
    return f"rl:{scope}:{window}:{digest}"


def hit(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True while the count stays within `limit` for the window."""
    key = _key(scope, ident, window_seconds)
    if cache.add(key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def blocked(scope: str, ident: str, *, limit: int, window_seconds: int) -> bool:
    return (cache.get(_key(scope, ident, window_seconds)) or 0) >= limit


def reset(scope: str, ident: str, *, window_seconds: int) -> None:
    cache.delete(_key(scope, ident, window_seconds))
