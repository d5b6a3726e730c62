"""Filters, sorting and keyset pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from xinfang.inbox import filters as f
from xinfang.petitions.models import Petition
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def pks(client, query: str) -> list[int]:
    response = client.get(f"/inbox/?{query}")
    assert response.status_code == 200
    return [p.pk for p in response.context["rows"]]


def test_unit_filter_takes_the_subtree(cases, world, login):
    client = login(world.registrar)
    assert set(pks(client, f"view=all&unit={world.town_a.pk}")) == {
        cases.objected.pk,
        cases.routed_a.pk,
        cases.routed_community.pk,
        cases.handling_a.pk,
        cases.drafted_a.pk,
        cases.recused_a.pk,
    }
    assert set(pks(client, f"view=all&unit={world.community_a.pk}")) == {cases.routed_community.pk}


def test_unit_filter_outside_a_unit_users_subtree_is_ignored(cases, world, login):
    client = login(world.handler_b)
    response = client.get(f"/inbox/?view=all&unit={world.town_a.pk}")
    assert "unit" in response.context["form"].errors
    assert {p.pk for p in response.context["rows"]} == {cases.handling_b.pk}


def test_category_filter_includes_children(cases, world, login):
    Petition.objects.filter(pk=cases.handling_a.pk).update(category=world.category)
    Petition.objects.filter(pk=cases.handling_b.pk).update(category=world.subcategory)
    client = login(world.registrar)
    assert set(pks(client, f"view=all&category={world.category.pk}")) == {
        cases.handling_a.pk,
        cases.handling_b.pk,
    }
    assert set(pks(client, f"view=all&category={world.subcategory.pk}")) == {cases.handling_b.pk}


def test_flag_channel_class_status_stage_filters(cases, world, login):
    Petition.objects.filter(pk=cases.handling_a.pk).update(is_urgent=True, is_collective=True)
    Petition.objects.filter(pk=cases.handling_b.pk).update(is_urgent=True, channel="letter")
    client = login(world.registrar)
    assert set(pks(client, "view=all&flag=urgent")) == {cases.handling_a.pk, cases.handling_b.pk}
    assert set(pks(client, "view=all&flag=urgent&flag=collective")) == {cases.handling_a.pk}
    assert set(pks(client, "view=all&channel=letter")) == {cases.handling_b.pk}
    assert set(pks(client, "view=all&petition_class=accusation")) == {cases.accusation_a.pk}
    assert set(pks(client, "view=all&status=opinion_drafted")) == {cases.drafted_a.pk}
    assert set(pks(client, "view=all&stage=review")) == {cases.review.pk}
    assert set(pks(client, "view=all&flag=assignment")) == set()


def test_received_date_range(cases, world, login):
    today = timezone.localdate()
    Petition.objects.filter(pk=cases.handling_b.pk).update(received_at=timezone.now() - timedelta(days=40))
    client = login(world.registrar)
    old = today - timedelta(days=40)
    assert set(pks(client, f"view=all&received_to={old + timedelta(days=1)}")) == {cases.handling_b.pk}
    assert cases.handling_b.pk not in pks(client, f"view=all&received_from={today - timedelta(days=1)}")


def test_due_state_filter(cases, world, login):
    today = timezone.localdate()
    Petition.objects.filter(pk=cases.handling_a.pk).update(current_due=today - timedelta(days=1))
    Petition.objects.filter(pk=cases.handling_b.pk).update(current_due=today + timedelta(days=2))
    client = login(world.registrar)
    assert set(pks(client, "view=all&due=overdue")) == {cases.handling_a.pk}
    assert set(pks(client, "view=all&due=due_soon")) == {cases.handling_b.pk}
    assert cases.handling_a.pk not in pks(client, "view=all&due=on_time")


def test_invalid_filter_values_are_ignored_not_errors(cases, world, login):
    client = login(world.registrar)
    response = client.get(
        "/inbox/?view=all&status=nonsense&unit=abc&received_from=yesterday&sort=id&after=!!"
    )
    assert response.status_code == 200
    assert len(response.context["rows"]) == 10


@pytest.mark.parametrize("sort", list(f.SORTS))
def test_sorting_and_keyset_pages_cover_every_row_once(cases, world, login, monkeypatch, sort):
    Petition.objects.filter(pk__in=[cases.handling_a.pk, cases.handling_b.pk]).update(current_due=None)
    monkeypatch.setattr(f, "PAGE_SIZE", 3)
    monkeypatch.setattr(f.page, "__defaults__", ("", 3))
    client = login(world.registrar)
    seen, url = [], f"/inbox/?view=all&sort={sort}"
    while url:
        response = client.get(url)
        seen += list(response.context["rows"])
        url = "/inbox/" + response.context["next_url"] if response.context["next_url"] else ""
    assert len(seen) == 10 and len({p.pk for p in seen}) == 10
    column = sort.lstrip("-")
    expected = list(f.order(Petition.objects.all(), sort))
    assert [p.pk for p in seen] == [p.pk for p in expected]
    values = [getattr(p, column) for p in seen if getattr(p, column) is not None]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_many_rows_give_a_next_page_and_no_full_count(world, login):
    for i in range(f.PAGE_SIZE + 2):
        make_petition(world, title=f"测试事项{i}", content="内容")
    client = login(world.registrar)
    response = client.get("/inbox/?view=to_route")
    assert len(response.context["rows"]) == f.PAGE_SIZE
    assert response.context["next_url"]
    second = client.get("/inbox/" + response.context["next_url"])
    assert len(second.context["rows"]) == 2
    assert second.context["count"] is None
    assert second.context["first_url"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lists are merged on PostgreSQL only")
@pytest.mark.parametrize(
    "who,query,sort",
    [
        ("registrar", "", "case_number"),
        ("registrar", "", "-case_number"),
        ("handler_a", "", "case_number"),
        ("handler_a", "噪音", "-received_at"),
        ("registrar", "停车", "-received_at"),
    ],
)
def test_lists_merged_from_the_scope_parts_equal_one_walk(cases, world, login, monkeypatch, sort, who, query):
    """A district bureau under a city, and a unit: on PostgreSQL a list sorted by case number, and
    a unit's search, merge the first rows of the scope's parts (filters.scope_parts); page by page
    they give the rows of one ordered walk of the visible set, each once."""

    from xinfang.petitions.access import visible_petitions
    from xinfang.testing import make_city

    city = make_city(world)
    make_petition(world, actor=city.city_registrar, title="市里的停车收费", content="市区停车收费过高。")
    user = getattr(world, who)
    user = type(user).objects.get(pk=user.pk)  # not the fixture's object: it caches its area
    monkeypatch.setattr(f, "PAGE_SIZE", 3)
    monkeypatch.setattr(f.page, "__defaults__", ("", 3))
    merges = []
    real = f.merged_head
    monkeypatch.setattr(f, "merged_head", lambda *args, **kw: merges.append(1) or real(*args, **kw))
    client = login(user)
    seen, url = [], f"/inbox/?view=all&sort={sort}&q={query}"
    while url:
        response = client.get(url)
        seen += [p.pk for p in response.context["rows"]]
        url = "/inbox/" + response.context["next_url"] if response.context["next_url"] else ""
    visible = visible_petitions(user)
    if query:
        visible = f.search.search(visible, query)
    expected = [p.pk for p in f.order(visible, sort)]
    assert expected
    assert seen == expected
    # A search is merged for the staff of a unit with few units under it, not for a bureau.
    merging = who == "handler_a" if query else "case_number" in sort
    assert bool(merges) == merging
