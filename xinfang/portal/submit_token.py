"""One-time submission tokens of the portal's form (网上信访提交).

Every render of the submission form carries a fresh token: a random nonce signed
with its time (django.core.signing, keyed by SECRET_KEY), so nothing is stored for
a form that is never sent.  The registration stores the SHA-256 of the nonce as an
IdempotencyKey without a user, through the API's own
`petition_register_idempotent`: the same form posted twice (a double click, a
browser retry after a timeout, a POST resent after the server died) gives one
petition, and the second POST answers with the first one's receipt.  The worker
deletes the stored keys after IDEMPOTENCY_KEY_DAYS, so a form may be posted for
at most PORTAL_SUBMIT_TOKEN_HOURS, never longer than its key is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from xinfang.petitions.actions.intake import request_fingerprint

FIELD = "submit_token"
SALT = "xinfang.portal.submit-token"
KEY_PREFIX = "portal:"
# What a browser sends with the form but does not belong to the submission.
NOT_CONTENT = {"csrfmiddlewaretoken", "captcha", "captcha_id", "captcha_switch", FIELD}


@dataclass(frozen=True)
class Token:
    key: str  # the IdempotencyKey.key: a hash of the nonce, never the nonce itself
    expired: bool


def max_age_seconds() -> int:
    return min(settings.PORTAL_SUBMIT_TOKEN_HOURS * 3600, settings.IDEMPOTENCY_KEY_DAYS * 86400)


def issue() -> str:
    return signing.dumps(secrets.token_urlsafe(24), salt=SALT)


def read(token: str) -> Token | None:
    """The token's key, or None when it is missing or not one this site signed.

    An expired token still names its key: a submission already registered with it
    is answered with its receipt while the key is kept; it cannot register a new one."""
    try:
        nonce = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(nonce, str) or len(nonce) < 16:
        return None
    try:
        signing.loads(token, salt=SALT, max_age=max_age_seconds())
        expired = False
    except signing.SignatureExpired:
        expired = True
    return Token(key=KEY_PREFIX + hashlib.sha256(nonce.encode()).hexdigest(), expired=expired)


def usable(token: str) -> bool:
    found = read(token)
    return found is not None and not found.expired


def fingerprint(post, files) -> str:
    """What was submitted: the fields (captcha and token aside) and the files' contents."""
    fields = {name: post.getlist(name) for name in sorted(post) if name not in NOT_CONTENT}
    uploads = []
    for upload in files.getlist("attachments"):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        uploads.append([upload.name, upload.size, digest.hexdigest()])
    return request_fingerprint({"fields": fields, "files": uploads})
