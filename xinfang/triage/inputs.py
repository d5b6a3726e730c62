"""One parser for what the desk panel and the API send: the petition being typed at the window."""

from __future__ import annotations

from xinfang.petitions.choices import Channel

from .history import PersonKey

MAX_TEXT = 20000
MAX_PEOPLE = 200


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def text_of(data: dict) -> str:
    content = (data.get("content") or data.get("text") or "").strip()
    if not content:
        content = "".join((data.get(k) or "").strip() for k in ("facts_reasons", "request"))
    return content[:MAX_TEXT]


def draft_kwargs(data: dict, people: list[dict]) -> dict:
    """Keyword arguments for service.draft_from_input from a plain dict (JSON or form)."""
    channel = data.get("channel") or Channel.VISIT
    return {
        "title": (data.get("title") or "").strip()[:200],
        "text": text_of(data),
        "channel": channel if channel in Channel.values else Channel.VISIT,
        "head_count": _int(data.get("head_count")),
        "town_id": _int(data.get("town_id") or data.get("town")),
        "place": (data.get("place_address") or data.get("place") or "").strip()[:200],
        "people": [
            PersonKey(
                name=(p.get("name") or "").strip()[:100],
                id_number=(p.get("id_number") or "").strip()[:40],
                phone=(p.get("phone") or "").strip()[:40],
                address=(p.get("address") or "").strip()[:200],
                is_representative=bool(p.get("is_representative")),
            )
            for p in people[:MAX_PEOPLE]
        ],
        "petitioner_ids": [i for i in (_int(v) for v in (data.get("petitioner_ids") or [])) if i][
            :MAX_PEOPLE
        ],
    }
