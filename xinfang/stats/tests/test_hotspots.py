"""Hot-spot grouping and the monthly pick."""

import pytest
from django.urls import reverse
from django.utils import timezone

from xinfang.petitions.actions import PetitionerInput
from xinfang.stats import hotspots
from xinfang.stats.models import MonthlyPick
from xinfang.testing import PASSWORD, make_petition

PARKING = "丽发新城小区物业擅自上调停车费，每月从一百元涨到三百元，业主要求物业退还多收的停车费用。"
NOISE = "云塘路工地夜间施工噪音扰民，凌晨两点还在打桩，附近居民无法休息，请求环保部门查处。"
OTHER = [
    "孩子入学学位分配不公平，希望教育局公开招生划片规则。",
    "医保报销比例太低，慢性病门诊费用负担很重。",
    "农村道路年久失修，雨天泥泞出行困难。",
    "公交线路调整后老人看病换乘不便。",
]


def test_cluster_groups_same_matter_and_labels_it():
    texts = [PARKING.replace("三百", f"{300 + i}") for i in range(5)]
    texts += [NOISE.replace("两点", f"{i + 1}点") for i in range(4)] + OTHER
    result = hotspots.cluster(texts)
    groups = list(result.groups().values())
    assert sorted(map(sorted, groups[:2])) == [[0, 1, 2, 3, 4], [5, 6, 7, 8]]
    assert all(result.labels[i] == -1 for i in range(9, 13))
    parking = result.labels[0]
    assert "停车费" in result.keywords[parking]
    assert "丽发新城" in result.places[parking]


def test_shown_place_names_are_whole_names_shared_by_the_group():
    texts = [
        "我是云台街道居民，云台街道幸福小区电梯坏了一个月。",
        "幸福小区电梯停运，请求责令物业公司维修。",
        "云台街道幸福小区的电梯经常困人，物业公司不管。",
        "我到路口看了，幸福小区电梯还是没修。",
    ]
    assert hotspots.shared_place_names(texts) == ["幸福小区", "云台街道"]


@pytest.mark.django_db
def test_trend_is_printed_without_a_minus_sign(client, world):
    from datetime import timedelta

    today = timezone.localdate()
    for i, days_ago in enumerate([1, 2, 40, 41, 42, 43, 44, 45, 46, 47]):
        make_petition(
            world,
            title="丽发新城停车费上涨",
            content=PARKING,
            received_at=timezone.now() - timedelta(days=days_ago),
            petitioners=[PetitionerInput(name=f"业主{i}", phone=f"1390000{i:04d}")],
        )
    assert client.login(username="bureau_leader", password=PASSWORD)
    start = today - timedelta(days=29)
    page = client.get(
        "/stats/hotspots/", {"start": start.isoformat(), "end": today.isoformat()}
    ).content.decode()
    assert "减少 75%" in page
    assert "-75" not in page


def test_place_names():
    assert hotspots.place_names("投诉A2区丽发新城附近搅拌站，万家丽南路拥堵") >= {"丽发新城", "万家丽南路"}


@pytest.mark.django_db
def test_monthly_pick_ranks_and_bureau_chooses(client, world):
    for i in range(4):
        make_petition(
            world,
            title="丽发新城停车费上涨",
            content=PARKING,
            town_id=(world.town_a, world.town_b)[i % 2].pk,
            petitioners=[PetitionerInput(name=f"业主{i}", phone=f"1390000{i:04d}")],
        )
    for i in range(3):
        make_petition(
            world,
            title="云塘路夜间施工",
            content=NOISE,
            town_id=world.town_a.pk,
            petitioners=[PetitionerInput(name=f"居民{i}", phone=f"1370000{i:04d}")],
        )
    month = timezone.localdate().replace(day=1)
    candidates = hotspots.monthly_candidates(month)
    assert [c["count"] for c in candidates] == [4, 3]
    assert candidates[0]["town_count"] == 2 and candidates[0]["score"] == pytest.approx(8)
    assert client.login(username="bureau_leader", password=PASSWORD)
    page = client.get(reverse("stats:monthly_pick"))
    assert page.status_code == 200 and "停车费" in page.content.decode()
    client.post(
        reverse("stats:monthly_pick_choose"), {"month": month.isoformat(), "rank": 0, "note": "统一规范收费"}
    )
    pick = MonthlyPick.objects.get(is_chosen=True)
    assert pick.petition_count == 4 and pick.chosen_by == world.bureau_leader
    assert client.get(reverse("stats:hotspots")).status_code == 200


def test_shown_place_names_drop_the_words_that_lead_into_them():
    texts = [
        "反映浦西街道工作人员作风粗暴",
        "反映浦西街道工作人员态度差",
        "请求责令物业公司退费，朝阳小区",
        "请求责令物业公司整改，朝阳小区",
        "建议新建路增设路灯",
        "建议建设路增设路灯，一段晚上没有路灯",
    ]
    assert hotspots.shared_place_names(texts) == ["朝阳小区", "浦西街道"]
