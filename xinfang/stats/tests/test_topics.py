"""Hot topics kept incrementally: one assignment per petition, so every page
and period counts a matter alike."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from xinfang.petitions.actions import PetitionerInput
from xinfang.stats import hotspots, topics
from xinfang.stats.models import HotTopicMember
from xinfang.testing import make_petition

LIFT = "幸福小区3号楼电梯长期故障停运，老人上下楼困难，请求督促物业尽快维修电梯。"
NOISE = "云塘路工地夜间施工噪音扰民，凌晨两点还在打桩，附近居民无法休息，请求环保部门查处。"
OTHER = [
    "孩子入学学位分配不公平，希望教育局公开招生划片规则。",
    "医保报销比例太低，慢性病门诊费用负担很重。",
    "农村道路年久失修，雨天泥泞出行困难。",
]


def _file(world, text, days_ago, i):
    # An hour before now, `days_ago` days back, but never before that local day began: in the
    # first hour after midnight an hour back is the day before (CI failed at 00:07 on 2026-12-08,
    # when seven days back fell in November).
    day_start = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time.min)
    )
    return make_petition(
        world,
        title=text[:10],
        content=text.replace("两点", f"{i % 5 + 1}点").replace("3号楼", f"{i % 7 + 1}号楼"),
        received_at=max(day_start, timezone.now() - timedelta(days=days_ago, hours=1)),
        petitioners=[PetitionerInput(name=f"居民{i}", phone=f"1390000{i:04d}")],
    )


@pytest.mark.django_db
def test_new_petitions_join_the_topic_their_matter_already_has(world):
    first = [_file(world, LIFT, 3, i) for i in range(3)]
    others = [_file(world, t, 3, 10 + i) for i, t in enumerate(OTHER)]
    assert topics.assign_pending() == 6
    topic = HotTopicMember.objects.get(petition=first[0]).topic
    assert topic is not None and "电梯" in topic.keywords
    assert {m.topic_id for m in HotTopicMember.objects.filter(petition__in=first)} == {topic.pk}
    assert not HotTopicMember.objects.filter(petition__in=others, topic__isnull=False).exists()
    later = [_file(world, LIFT, 0, 20 + i) for i in range(2)]
    assert topics.assign_pending() == 2
    assert {m.topic_id for m in HotTopicMember.objects.filter(petition__in=later)} == {topic.pk}
    assert topics.assign_pending() == 0


@pytest.mark.django_db
def test_a_matter_counts_the_same_on_hot_spots_and_monthly_pick_whatever_the_window(world):
    today = timezone.localdate()
    month_start = today.replace(day=1)
    days_in = (today - month_start).days
    for i in range(9):
        _file(world, LIFT, i % (days_in + 1), i)
    for i in range(4):
        _file(world, NOISE, i % (days_in + 1), 30 + i)
    for i in range(12):  # last month: many more about the lift, and some noise
        _file(world, LIFT if i % 3 else NOISE, days_in + 3 + i % 20, 50 + i)
    page = {s["label"]: s["count"] for s in hotspots.hot_spots(month_start, today)}
    longer_list = {s["label"]: s["count"] for s in hotspots.hot_spots(month_start, today, limit=50)}
    monthly = {c["label"]: c["count"] for c in hotspots.monthly_candidates(month_start)}
    assert sorted(page.values(), reverse=True)[:2] == [9, 4]
    assert all(longer_list[label] == count for label, count in page.items())
    assert all(monthly[label] == count for label, count in page.items() if count >= 3)


@pytest.mark.django_db
def test_the_summary_of_a_topic_equals_a_recount_of_its_petitions(world):
    """The summary reads the member rows alone (GROUPING SETS on PostgreSQL); it must give what
    counting each petition gives (ids, repeats, towns, the unit each counts at, addresses),
    also after the petitions were routed, flagged or corrected once they had their topic: the
    copied columns follow the petition (stats/member_sync.py)."""
    from collections import Counter

    from xinfang.petitions.models import Petition
    from xinfang.stats.rollup import bounds

    lifts = [_file(world, LIFT, i % 4, i) for i in range(7)]
    noise = [_file(world, NOISE, i % 3, 40 + i) for i in range(4)]
    # Before the assignment: copied when the member row is made.
    Petition.objects.filter(pk__in=[p.pk for p in lifts[:3]]).update(is_repeat=True, place_address="幸福小区")
    topics.assign_pending()
    # After it: routed by a queryset update, corrected by a save, flagged.
    Petition.objects.filter(pk=lifts[3].pk).update(handling_unit=world.town_a, town=world.town_a)
    moved = Petition.objects.get(pk=noise[0].pk)
    moved.place_address = "云塘路"
    moved.save()
    Petition.objects.filter(pk=noise[1].pk).update(is_repeat=True)
    today = timezone.localdate()
    lo, hi = bounds(today - timedelta(days=10), today)
    everything = topics.members_counted()
    ids = [t for t, _ in topics.top_topics(everything, lo, hi, 10, 2)]
    assert len(ids) == 2
    got = topics.summaries(everything, lo, hi, ids)
    for topic_id in ids:
        rows = list(Petition.objects.filter(hot_topic__topic=topic_id).order_by("pk"))
        summary = got[topic_id]
        assert summary.ids == [p.pk for p in rows]
        assert summary.repeats == sum(p.is_repeat for p in rows)
        assert summary.towns == Counter(p.town_id for p in rows if p.town_id)
        units = Counter(p.handling_unit_id or p.bureau_id or p.registering_unit_id for p in rows)
        assert summary.units == units
        assert summary.addresses == Counter(p.place_address for p in rows if p.place_address)
    lift_topic = HotTopicMember.objects.get(petition=lifts[0]).topic_id
    noise_topic = HotTopicMember.objects.get(petition=noise[0]).topic_id
    assert got[lift_topic].repeats == 3 and got[lift_topic].addresses["幸福小区"] == 3
    assert got[lift_topic].units[world.town_a.pk] >= 1 and got[lift_topic].towns[world.town_a.pk] >= 1
    assert got[noise_topic].addresses["云塘路"] == 1 and got[noise_topic].repeats == 1
    # Only the petitions of the period and of the queryset given are summed.
    street = topics.members_counted(Petition.objects.filter(handling_unit=world.town_a))
    assert topics.summaries(street, lo, hi, ids)[lift_topic].ids == [lifts[3].pk]
    # The same from the member rows alone (the unit each counts at, less the unrouted ones).
    handled = topics.members_handled_under([world.town_a.pk])
    assert topics.summaries(handled, lo, hi, ids) == topics.summaries(street, lo, hi, ids)
    # And of the area given: the unit each counts at.
    area = topics.members_counted(area_ids=[world.town_a.pk])
    assert topics.summaries(area, lo, hi, ids)[lift_topic].ids == [lifts[3].pk]


@pytest.mark.django_db
def test_the_copy_triggers_come_back_after_a_migration(world):
    """SQLite rebuilds a table to alter it and drops its triggers: post_migrate puts them back."""
    from django.db import connection

    from xinfang.stats import member_sync

    assert member_sync.installed(connection)
    member_sync.uninstall(connection)
    assert not member_sync.installed(connection)
    member_sync.on_post_migrate(sender=None, using="default")
    assert member_sync.installed(connection)
