"""A logging filter that blanks credentials before a record is written.

Defence in depth: code must never log a token, but a library may (django-ninja
logs an unexpected Authorization header in full when DEBUG is on).  Installed
on every handler by settings.LOGGING.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[已隐去]"
# Each pattern keeps its first group (the label) and blanks what follows it.
PATTERNS = [
    # An Authorization header value, whatever its scheme.
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\r\n]+"),
    # "Bearer xyz", "Basic xyz", "Token xyz" in free text.
    re.compile(r"(?i)(\b(?:bearer|basic)\s+)[^\s'\",;]+"),
    re.compile(r"(?i)(\btoken\s+)[A-Za-z0-9_\-.~+/=]{12,}"),
    # token=…, password=…, query_code=… in query strings and messages.
    re.compile(r"(?i)(\b(?:api_?)?(?:token|secret|password|passwd|key|query_code)=)[^&\s'\"]+"),
    # Our API tokens (xf_ + 43 url-safe characters) wherever they appear.
    re.compile(r"()\bxf_[A-Za-z0-9_\-]{8,}"),
]


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites the message (and the exception text) of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
