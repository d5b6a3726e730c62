"""Roster and hearing helpers for the hearings tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xinfang.hearings import actions
from xinfang.hearings.models import HearingMember
from xinfang.testing import advance, make_petition, make_user

NAMES = ["赵律师", "钱代表", "孙委员", "李专家", "周代表", "吴委员"]
KINDS = ["lawyer", "npc_deputy", "cppcc_member", "expert", "community_rep", "cppcc_member"]


def make_roster(world, n: int = 5) -> list[HearingMember]:
    members = []
    for i in range(n):
        user = world.hearing_member if i == 0 else None
        members.append(
            actions.member_save(
                actor=world.registrar,
                name=NAMES[i],
                kind=KINDS[i],
                organisation="某律师事务所",
                phone=f"1390000000{i}",
                user=user,
            )
        )
    return members


def rereview_petition(world, **fields):
    petition = make_petition(world, **fields)
    return advance(petition, world, to="rereview")


def city_leader(world):
    return make_user("city_leader", "unit_leader", world.city, "市复核负责人")


def schedule(world, petition, *, actor=None, days_ahead: int = 3):
    return actions.hearing_schedule(
        actor=actor or world.bureau_leader,
        petition=petition,
        scheduled_at=timezone.now() + timedelta(days=days_ahead),
        place="区信访局听证室",
        host=world.bureau_leader,
    )
