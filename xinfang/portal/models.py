"""Captcha challenges (captcha.py): one row each, deleted by the first answer."""

from __future__ import annotations

from django.db import models


class CaptchaChallenge(models.Model):
    """`digest` is an HMAC of the id and the answer: the answer itself is not stored."""

    id = models.CharField(primary_key=True, max_length=32)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)
