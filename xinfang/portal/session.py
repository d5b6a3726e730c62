"""The case a visitor has opened with its query code, kept in the session for a while.

Only the petition id and the query code's keyed hash are stored; every page
checks the hash against the petition again, so a reset query code locks out
sessions opened with the old one.
"""

from __future__ import annotations

import secrets
import time

from xinfang.petitions.models import Petition

SESSION_KEY = "portal_case"
TTL_SECONDS = 30 * 60


def remember(request, petition: Petition) -> None:
    request.session[SESSION_KEY] = {
        "id": petition.pk,
        "code": petition.query_code_hash,
        "exp": time.time() + TTL_SECONDS,
    }
    request.session.cycle_key()


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def verified_petition(request) -> Petition | None:
    """The case opened in this session, or None when expired or no longer valid."""
    entry = request.session.get(SESSION_KEY)
    if not entry or entry.get("exp", 0) < time.time():
        forget(request)
        return None
    petition = (
        Petition.objects.select_related("handling_unit", "registering_unit").filter(pk=entry["id"]).first()
    )
    if petition is None or not secrets.compare_digest(petition.query_code_hash, str(entry.get("code", ""))):
        forget(request)
        return None
    return petition
