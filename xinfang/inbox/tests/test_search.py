"""Chinese full-text search: tokens, the index table, the q= filter."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from xinfang.inbox.models import PetitionSearch
from xinfang.inbox.search import document_tokens, query_tokens, search
from xinfang.petitions.models import Petition
from xinfang.testing import make_petition


def test_query_tokens_are_bigrams_of_chinese_runs_and_whole_latin_words():
    assert query_tokens("停车费") == ["停车", "车费"]
    assert query_tokens("房") == ["房"]
    assert query_tokens("１２３４５热线 ABC") == ["12345", "热线", "abc"]
    assert query_tokens("，。！") == []


def test_document_tokens_contain_words_and_all_bigrams():
    tokens = document_tokens("物业公司擅自提高停车费").split()
    assert {"物业", "公司", "停车", "车费", "高停"} <= set(tokens)
    assert len(tokens) == len(set(tokens))


@pytest.mark.django_db
def test_search_finds_words_in_content_and_title(world):
    parking = make_petition(world, title="小区问题", content="物业公司擅自提高停车费，要求退还。")
    noise = make_petition(world, title="工地噪音扰民", content="夜间施工影响休息。")
    visible = Petition.objects.all()
    assert set(search(visible, "停车费")) == {parking}
    assert set(search(visible, "噪音")) == {noise}
    assert set(search(visible, "提高 停车费")) == {parking}
    assert set(search(visible, "停车费 噪音")) == set()
    assert set(search(visible, parking.case_number)) == {parking}


@pytest.mark.django_db
def test_index_follows_title_and_content_changes(world):
    petition = make_petition(world, title="路灯不亮", content="幸福路路灯坏了。")
    petition.content = "小区垃圾清运不及时。"
    petition.save(update_fields=["content"])
    assert set(search(Petition.objects.all(), "垃圾")) == {petition}
    assert set(search(Petition.objects.all(), "路灯坏")) == set()
    petition.delete()
    assert not PetitionSearch.objects.exists()
    assert set(search(Petition.objects.all(), "垃圾")) == set()


@pytest.mark.django_db
def test_search_index_command_fills_missing_rows_and_rebuilds(world):
    first = make_petition(world, title="拖欠工资", content="某公司拖欠工资。")
    second = make_petition(world, title="供水问题", content="自来水发黄。")
    PetitionSearch.objects.all().delete()  # as after a bulk load that bypassed signals
    assert set(search(Petition.objects.all(), "工资")) == set()
    call_command("search_index")
    assert set(search(Petition.objects.all(), "工资")) == {first}
    call_command("search_index", "--rebuild")
    assert PetitionSearch.objects.count() == 2
    assert set(search(Petition.objects.all(), "发黄")) == {second}


@pytest.mark.django_db
def test_inbox_search_combines_with_filters_and_scope(cases, world, login):
    client = login(world.registrar)
    rows = client.get("/inbox/?view=all&q=停车费").context["rows"]
    assert {p.pk for p in rows} == {cases.to_route.pk}
    rows = client.get("/inbox/?view=all&q=停车").context["rows"]
    assert {p.pk for p in rows} == {cases.to_route.pk, cases.accusation_a.pk, cases.recused_a.pk}
    rows = client.get("/inbox/?view=to_route&q=停车").context["rows"]
    assert {p.pk for p in rows} == {cases.to_route.pk}
    rows = client.get("/inbox/?view=all&q=停车&petition_class=accusation").context["rows"]
    assert {p.pk for p in rows} == {cases.accusation_a.pk}
    client = login(world.handler_b)
    assert list(client.get("/inbox/?view=all&q=停车").context["rows"]) == []


@pytest.mark.django_db
def test_search_count_stops_at_its_own_lower_cap(cases, world, login, monkeypatch):
    from xinfang.inbox import views

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 2)
    client = login(world.registrar)
    response = client.get("/inbox/?view=all&q=停车")  # three matches
    assert (response.context["count"], response.context["count_capped"]) == (3, True)
    assert "共 2 件以上" in response.content.decode()
    response = client.get("/inbox/?view=all&q=停车费")  # one match: exact
    assert (response.context["count"], response.context["count_capped"]) == (1, False)
    response = client.get("/inbox/?view=all")  # no text: the ordinary cap
    assert response.context["count_cap"] == views.COUNT_CAP
