"""Keep the search row of a petition in step with its title and content."""

from __future__ import annotations

SEARCHED_FIELDS = {"title", "content"}


def petition_saved(sender, instance, created: bool, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if not created and update_fields is not None and not SEARCHED_FIELDS & set(update_fields):
        return
    from .search import index_petition

    index_petition(instance, created=created)
