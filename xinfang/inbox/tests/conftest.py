"""A small scenario covering every inbox view (see `cases`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.petitions import actions as a
from xinfang.petitions.models import Petition
from xinfang.testing import advance, make_petition


@dataclass
class Cases:
    to_route: Petition  # registered at the bureau, content mentions 停车费
    objected: Petition  # objected by town A: back in the bureau's queue
    routed_a: Petition  # waiting for town A to accept
    routed_community: Petition  # waiting for community A (inside town A)
    handling_a: Petition
    handling_b: Petition
    drafted_a: Petition  # opinion waiting for town A's leader
    review: Petition  # review stage
    accusation_a: Petition  # accusation against town A, handled by discipline
    recused_a: Petition  # handling in town A; handler_a recused


def _routed(world, unit, **kwargs):
    p = make_petition(world, **kwargs)
    a.petition_classify(actor=world.registrar, petition=p, petition_class="claim", claim_route=6)
    p.refresh_from_db()
    a.petition_transfer(actor=world.registrar, petition=p, unit=unit)
    p.refresh_from_db()
    return p


@pytest.fixture
def cases(world) -> Cases:
    now = timezone.now()
    to_route = make_petition(
        world,
        title="小区停车位被占",
        content="物业公司擅自提高停车费，业主多次反映无果。",
        received_at=now - timedelta(hours=5),
    )
    objected = _routed(world, world.town_a, title="道路积水", content="雨后道路积水严重。")
    a.petition_object(actor=world.handler_a, petition=objected, reason="不属于本街道职责")
    routed_a = _routed(world, world.town_a, title="噪音扰民", content="工地夜间施工噪音扰民。")
    routed_community = _routed(
        world, world.community_a, title="楼道堆物", content="楼道堆放杂物存在消防隐患。"
    )
    handling_a = advance(
        make_petition(world, title="拖欠工资", content="某公司拖欠农民工工资三个月。"), world, to="handling"
    )
    handling_b = _routed(world, world.town_b, title="路灯不亮", content="幸福路路灯长期不亮。")
    a.petition_accept(actor=world.handler_b, petition=handling_b)
    handling_b.refresh_from_db()
    drafted_a = advance(
        make_petition(world, title="违章搭建", content="邻居违章搭建阳光房。"), world, to="drafted"
    )
    review = advance(
        make_petition(world, title="物业费争议", content="对物业费处理意见不服。"), world, to="review"
    )
    accusation_a = make_petition(
        world,
        title="举报街道干部",
        content="新海街道某干部收受好处费，违规办理停车证。",
        petition_class="accusation",
        respondent_unit_id=world.town_a.pk,
    )
    a.petition_transfer(actor=world.registrar, petition=accusation_a, unit=world.discipline)
    accusation_a.refresh_from_db()
    a.petition_accept(actor=world.discipline_handler, petition=accusation_a)
    accusation_a.refresh_from_db()
    recused_a = advance(
        make_petition(world, title="邻里纠纷", content="与邻居因停车位发生纠纷。"), world, to="handling"
    )
    a.petition_recuse(actor=world.leader_a, petition=recused_a, user=world.handler_a, reason="系承办人亲属")
    for p in (objected, routed_a, routed_community, handling_a, drafted_a, review, recused_a):
        p.refresh_from_db()
    return Cases(
        to_route=to_route,
        objected=objected,
        routed_a=routed_a,
        routed_community=routed_community,
        handling_a=handling_a,
        handling_b=handling_b,
        drafted_a=drafted_a,
        review=review,
        accusation_a=accusation_a,
        recused_a=recused_a,
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """make_world hashes 21 passwords; Argon2 makes that seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
