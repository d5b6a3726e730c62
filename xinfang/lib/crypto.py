"""Personal data at rest: AES-256-GCM encryption and keyed lookup hashes.

Ciphertexts are "v1:" + urlsafe base64 of nonce || ciphertext+tag.  Lookup
hashes are HMAC-SHA256 over a normalised value, so an exact search by ID number
or phone never needs to decrypt the table, and the table alone reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    """Derive separate encryption and hashing keys from the master secret."""
    material = HKDF(algorithm=SHA256(), length=64, salt=b"xinfang-personal-data", info=b"v1").derive(
        master.encode("utf-8")
    )
    return material[:32], material[32:]


def _master() -> str:
    from django.conf import settings

    # No silent fallback to SECRET_KEY: settings give the demo its own default and
    # refuse to start a production install without XINFANG_DATA_KEY.
    if not settings.DATA_KEY:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("XINFANG_DATA_KEY is not set")
    return settings.DATA_KEY


@lru_cache(maxsize=4)
def _cipher(master: str) -> AESGCM:
    return AESGCM(_keys(master)[0])


def encrypt(plaintext: str, *, master: str | None = None) -> str:
    """``master`` defaults to the installation's key (a key rotation passes the new one)."""
    if plaintext == "":
        return ""
    nonce = os.urandom(12)
    sealed = _cipher(master or _master()).encrypt(nonce, plaintext.encode("utf-8"), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, *, master: str | None = None) -> str:
    if token == "":
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("unknown ciphertext format")
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    return _cipher(master or _master()).decrypt(raw[:12], raw[12:], None).decode("utf-8")


def normalise(value: str) -> str:
    """Full-width to half-width, no spaces or dashes, upper case (ID check digit X)."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-－—_]", "", value).upper()


def lookup_hash(value: str, *, purpose: str, master: str | None = None) -> str:
    """Keyed hash for exact lookup; empty input gives an empty hash."""
    value = normalise(value)
    if not value:
        return ""
    _, key = _keys(master or _master())
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    value = normalise(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    value = normalise(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; used when hearing opinions are published."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""
