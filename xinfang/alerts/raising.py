"""Raise a warning exactly once."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Alert


def raise_alert(*, dedupe_key: str, kind: str, title: str, petitions=(), **fields) -> Alert | None:
    """Create the alert unless one with `dedupe_key` exists; returns it, or None
    when another process raised it first."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(dedupe_key=dedupe_key, kind=kind, title=title, **fields)
            if petitions:
                alert.petitions.add(*petitions)
            return alert
    except IntegrityError:
        return None
