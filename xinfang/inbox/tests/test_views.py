"""What each persona finds in each inbox view (always within visible_petitions)."""

from __future__ import annotations

import pytest

from xinfang.web.nav import items_for

pytestmark = pytest.mark.django_db


def listed(client, query: str = "") -> set[int]:
    response = client.get(f"/inbox/?{query}")
    assert response.status_code == 200
    return {p.pk for p in response.context["rows"]}


# persona → {view: names of the cases listed}
EXPECTED = {
    "registrar": {
        "to_route": {"to_route", "objected"},
        "reviews": {"review"},
        "all": {
            "to_route",
            "objected",
            "routed_a",
            "routed_community",
            "handling_a",
            "handling_b",
            "drafted_a",
            "review",
            "accusation_a",
            "recused_a",
        },
    },
    "supervisor": {
        "handling": {"handling_a", "handling_b", "review", "accusation_a", "recused_a"},
        "overdue": set(),
    },
    "handler_a": {
        "to_accept": {"routed_a", "routed_community"},
        "handling": {"handling_a"},
        "opinion_approval": {"drafted_a"},
        "reviews": set(),
        # The unit that answered keeps reading its matter while the review goes on above (issue 14).
        "all": {"objected", "routed_a", "routed_community", "handling_a", "drafted_a", "review"},
    },
    "leader_a": {
        "to_accept": {"routed_a", "routed_community"},
        "handling": {"handling_a", "recused_a"},
        "opinion_approval": {"drafted_a"},
        "all": {"objected", "routed_a", "routed_community", "handling_a", "drafted_a", "recused_a", "review"},
    },
    "community_handler": {
        "to_accept": {"routed_community"},
        "all": {"routed_community"},
    },
    "handler_b": {
        "to_accept": set(),
        "handling": {"handling_b"},
        "all": {"handling_b"},
    },
    "discipline_handler": {
        "handling": {"accusation_a"},
        "all": {"accusation_a"},
    },
    "housing_handler": {"all": set(), "handling": set()},
}


@pytest.mark.parametrize(
    ("persona", "view"), [(persona, view) for persona, views in EXPECTED.items() for view in views]
)
def test_view_lists_what_the_persona_should_work_on(cases, world, login, persona, view):
    client = login(getattr(world, persona))
    expected = {getattr(cases, name).pk for name in EXPECTED[persona][view]}
    assert listed(client, f"view={view}") == expected


def test_default_view_depends_on_role(cases, world, login):
    assert login(world.registrar).get("/inbox/").context["view"].key == "to_route"
    assert login(world.handler_a).get("/inbox/").context["view"].key == "to_accept"
    assert login(world.leader_a).get("/inbox/").context["view"].key == "opinion_approval"
    assert login(world.supervisor).get("/inbox/").context["view"].key == "overdue"


def test_view_not_offered_to_role_falls_back_to_default(cases, world, login):
    client = login(world.handler_a)
    response = client.get("/inbox/?view=to_route")
    assert response.context["view"].key == "to_accept"


@pytest.mark.parametrize("persona", ["hearing_member", "outsider"])
def test_users_without_a_unit_or_hearing_members_get_nothing(cases, world, login, persona):
    client = login(getattr(world, persona))
    for url in ["/inbox/", "/inbox/?view=all", "/inbox/export.xlsx", "/inbox/?q=停车费"]:
        response = client.get(url)
        assert response.status_code == 403
        assert cases.to_route.case_number.encode() not in response.content


def test_anonymous_is_sent_to_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


ALL_VIEWS = [
    "to_route",
    "to_accept",
    "handling",
    "due_soon",
    "overdue",
    "opinion_approval",
    "extension_approval",
    "reviews",
    "all",
]


@pytest.mark.parametrize("persona", ["handler_a", "leader_a", "community_handler"])
def test_accusation_is_hidden_from_the_accused_unit_in_every_view_and_search(cases, world, login, persona):
    client = login(getattr(world, persona))
    for view in ALL_VIEWS:
        for query in ["", "&q=停车", "&q=好处费", "&petition_class=accusation", "&sort=-received_at"]:
            response = client.get(f"/inbox/?view={view}{query}")
            assert cases.accusation_a.pk not in {p.pk for p in response.context["rows"]}
            assert cases.accusation_a.case_number.encode() not in response.content


def test_accused_unit_cannot_export_the_accusation(cases, world, login):
    import io

    from openpyxl import load_workbook

    client = login(world.leader_a)
    response = client.get("/inbox/export.xlsx?view=all&q=好处费")
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[1:] == []


def test_recused_handler_does_not_see_the_petition_anywhere(cases, world, login):
    client = login(world.handler_a)
    for view in ALL_VIEWS:
        assert cases.recused_a.pk not in listed(client, f"view={view}")
    assert cases.recused_a.pk not in listed(client, "view=all&q=纠纷")
    assert cases.recused_a.pk in listed(login(world.leader_a), "view=all&q=纠纷")


def test_traffic_light_and_days_left_from_current_due(cases, world, login):
    from datetime import timedelta

    from django.utils import timezone

    from xinfang.petitions.models import Petition

    today = timezone.localdate()
    Petition.objects.filter(pk=cases.handling_a.pk).update(current_due=today - timedelta(days=2))
    Petition.objects.filter(pk=cases.recused_a.pk).update(
        current_due=today + timedelta(days=1), current_due_provisional=True
    )
    client = login(world.leader_a)
    response = client.get("/inbox/?view=handling")
    rows = {p.pk: p for p in response.context["rows"]}
    assert rows[cases.handling_a.pk].light == "overdue"
    assert rows[cases.recused_a.pk].light == "due_soon"
    html = response.content.decode()
    assert "超期2天" in html and "剩1天" in html and "暂定" in html
    assert listed(client, "view=overdue") == {cases.handling_a.pk}
    assert listed(client, "view=due_soon") == {cases.recused_a.pk}
    # handling is sorted by deadline: the overdue one first.
    assert [p.pk for p in response.context["rows"]][0] == cases.handling_a.pk


def test_nav_has_a_workbench_entry_for_staff(world):
    labels = [item["label"] for item in items_for(world.handler_a)]
    assert "工作台" in labels
