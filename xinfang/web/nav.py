"""The staff navigation: each app registers its entries in AppConfig.ready().

    from xinfang.web.nav import NavItem, register
    register(NavItem("听证", "hearings:list", roles={"registrar", ...}, order=50))

`roles` empty means every staff role but hearing members: they are people
from outside the administration (deputies, lawyers, experts) and see only the
entries that name their role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from xinfang.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100
    bureau_only: bool = False


_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    result = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if item.roles and user.role not in item.roles:
            continue
        if not item.roles and user.role == Role.HEARING_MEMBER and item.url_name != "home":
            continue
        if item.bureau_only and not user.is_bureau_staff:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": item.label, "url": url, "name": item.url_name})
    return result
