"""A unit's hot spots count the matters handled under it that the viewer may open.

They are read from the member rows (``topics.members_handled_under``: counted at a unit under it,
not left unrouted, less what is hidden from the viewer whatever their scope); these tests hold them
to ``visible_petitions(viewer)`` handled under the unit, persona by persona."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.petitions import access
from xinfang.petitions.actions import petition_recuse
from xinfang.petitions.models import Petition
from xinfang.stats import hotspots, topics
from xinfang.stats.dashboard import scope_ids
from xinfang.testing import make_petition, make_user

from .test_hotspots import PARKING

pytestmark = pytest.mark.django_db


def _parking(world, handled_by, **fields):
    petition = make_petition(
        world, title="丽发新城停车费上涨", content=PARKING, town_id=world.town_a.pk, **fields
    )
    if handled_by is not None:
        Petition.objects.filter(pk=petition.pk).update(handling_unit=handled_by, status="handling")
    return petition


@pytest.fixture
def matters(world):
    """Parking complaints handled across the district, one left at the desk, one registered by a
    town and not routed, one accusation against the district government (handled by the discipline
    unit), and one matter the town's handler stepped aside from."""
    handled = [world.town_a, world.town_a, world.community_a, world.town_b, world.housing, world.discipline]
    rows = {f"handled_{i}": _parking(world, unit) for i, unit in enumerate(handled)}
    rows["at_desk"] = _parking(world, None)
    rows["town_registered"] = _parking(world, None)
    Petition.objects.filter(pk=rows["town_registered"].pk).update(registering_unit=world.town_a, bureau=None)
    rows["accusation"] = _parking(
        world, world.discipline, petition_class="accusation", respondent_unit_id=world.district.pk
    )
    petition_recuse(
        actor=world.bureau_leader, petition=rows["handled_0"], user=world.handler_a, reason="近亲属"
    )
    topics.assign_pending()
    return rows


def _counted(user, unit) -> set[int]:
    today = timezone.localdate()
    spots = hotspots.hot_spots(today - timedelta(days=30), today, unit, user=user, min_count=1)
    return {pk for spot in spots for pk in spot["petition_ids"]}


def _expected(user, unit, matters) -> set[int]:
    ours = {p.pk for p in matters.values()}
    handled_under = access.visible_petitions(user).filter(handling_unit_id__in=scope_ids(unit))
    return set(handled_under.values_list("pk", flat=True)) & ours


def test_each_viewer_counts_what_they_may_open_handled_under_the_unit(world, matters):
    district_leader = make_user("district_leader", Role.UNIT_LEADER, world.district)
    cases = [
        (district_leader, world.district),  # not the accusation against the district government
        (district_leader, world.town_a),
        (world.handler_a, world.town_a),  # not the matter the handler stepped aside from
        (world.leader_a, world.town_a),
        (world.leader_a, world.community_a),
        (world.community_handler, world.community_a),
        (world.housing_handler, world.housing),
        (world.discipline_leader, world.discipline),  # the accusation, which it handles
        (world.bureau_leader, world.town_a),  # a bureau's viewer drilling into a unit
        (world.bureau_leader, world.district),
    ]
    for user, unit in cases:
        assert access.holds_handled_under(user, scope_ids(unit)), (user.username, unit.name)
        assert _counted(user, unit) == _expected(user, unit, matters), (user.username, unit.name)
    district = _counted(district_leader, world.district)
    assert matters["accusation"].pk not in district and matters["handled_5"].pk in district
    assert matters["at_desk"].pk not in district and matters["town_registered"].pk not in district
    assert matters["handled_0"].pk not in _counted(world.handler_a, world.town_a)
    assert matters["handled_0"].pk in _counted(world.leader_a, world.town_a)
    assert matters["accusation"].pk in _counted(world.discipline_leader, world.discipline)


def test_a_unit_outside_the_viewers_scope_keeps_the_scope_join(world, matters):
    """A unit not wholly in the viewer's scope is counted through visible_petitions, so it can
    never count what the viewer may not open."""
    assert not access.holds_handled_under(world.handler_b, scope_ids(world.town_a))
    assert _counted(world.handler_b, world.town_a) == set()
    assert not access.holds_handled_under(world.community_handler, scope_ids(world.town_a))
    assert _counted(world.community_handler, world.town_a) == _expected(
        world.community_handler, world.town_a, matters
    )
