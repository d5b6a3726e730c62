"""Helpers for the demo data of the reception, ownership and commitments apps."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from xinfang.units.models import Unit, UnitKind


def flat_users(users_by_role, *roles) -> list:
    result = []
    for role in roles:
        value = users_by_role.get(role) or [] if isinstance(users_by_role, dict) else []
        result.extend(value if isinstance(value, list | tuple) else [value])
    return [u for u in result if u is not None]


def working_units(units) -> list:
    """The units that handle matters.  `units` is the demo's vars(Reference):
    single units and lists of units (towns, departments…) mixed with other
    reference data (categories), so flatten one level and keep only units."""
    items = list(units.values()) if isinstance(units, dict) else list(units)
    flat = []
    for item in items:
        flat.extend(item if isinstance(item, list | tuple) else [item])
    return [
        u
        for u in flat
        if isinstance(u, Unit) and u.kind not in (UnitKind.BUREAU, UnitKind.LEADERSHIP) and u.is_active
    ]


def staff_of(unit, users_by_role):
    for role in ("handler", "unit_leader"):
        for user in flat_users(users_by_role, role):
            if user.unit_id == unit.pk:
                return user
    from xinfang.accounts.models import User

    return User.objects.filter(unit=unit, is_active=True).first()


def at(day, hour=10, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def past_weekday(today, days_ago: int):
    day = today - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
