"""Query counts are fixed per page, whatever the number of rows (pinned)."""

from __future__ import annotations

import pytest

from xinfang.petitions.models import Petition
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db

# session, user, user's unit, units, categories, page rows, saved views; then, for a search, the
# page's rows by id after the ids up to the count's cap (none when the list is empty), and for
# a list longer than a page, its capped count.
LIST_QUERIES = 7
NEXT_PAGE_QUERIES = 7  # no count on later pages
# Staff of a unit (not of a bureau): the page header looks up the bureau they work with.
UNIT_STAFF = {"handler_a", "leader_a"}

VIEWS = {
    "registrar": ["to_route", "handling", "due_soon", "overdue", "reviews", "all"],
    "bureau_leader": ["to_route", "handling", "due_soon", "overdue", "reviews", "all"],
    "supervisor": ["handling", "overdue", "all"],
    "handler_a": [
        "to_accept",
        "handling",
        "due_soon",
        "overdue",
        "opinion_approval",
        "extension_approval",
        "reviews",
        "all",
    ],
    "leader_a": ["to_accept", "handling", "opinion_approval", "extension_approval", "all"],
}


@pytest.fixture
def more(cases, world):
    for i in range(4):
        advance(make_petition(world, title=f"追加事项{i}", content="停车费问题"), world, to="handling")
    assert Petition.objects.count() == 14


@pytest.mark.parametrize(("persona", "view"), [(p, v) for p, views in VIEWS.items() for v in views])
@pytest.mark.parametrize("query", ["", "&q=停车费&flag=urgent&category=1&unit=4&sort=-received_at"])
def test_list_query_count_is_pinned(more, world, login, persona, view, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(getattr(world, persona))
    # SQLite: one capped count of the search matches picks the plan (search.py).
    expected = LIST_QUERIES + (1 if "q=" in query and connection.vendor == "sqlite" else 0)
    # Bureau staff: one query for the area of their bureau (units/bureaus.py).
    expected += 1 if getattr(world, persona).is_bureau_staff else 0
    # Unit staff: one query for their bureau, named in the page header; their scope reads the
    # ids of their unit's subtree and of its joint cases (access.py).
    expected += 3 if persona in UNIT_STAFF else 0
    # PostgreSQL: a unit's search is merged from its scope's parts, which read its joint cases.
    expected += 1 if persona in UNIT_STAFF and "q=" in query and connection.vendor == "postgresql" else 0
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/inbox/?view={view}{query}")
    assert response.status_code == 200
    rows = response.context["rows"]
    expected += 1 if "q=" in query and rows else 0
    expected += 1 if response.context["next_url"] else 0
    assert len(queries) == expected, "\n".join(q["sql"][:120] for q in queries)


def test_next_page_query_count_is_pinned(more, world, login, django_assert_num_queries, monkeypatch):
    from xinfang.inbox import filters as f

    monkeypatch.setattr(f.page, "__defaults__", ("", 2))
    monkeypatch.setattr(f, "PAGE_SIZE", 2)
    client = login(world.registrar)
    next_url = client.get("/inbox/?view=all").context["next_url"]
    with django_assert_num_queries(NEXT_PAGE_QUERIES + 1):  # + the registrar's bureau area
        response = client.get("/inbox/" + next_url)
    assert len(response.context["rows"]) == 2


def test_export_query_count_does_not_grow_with_rows(more, world, login, django_assert_num_queries):
    client = login(world.registrar)
    # session, user, unit, bureau area, units, categories, the count against the background
    # threshold, rows, petitioners (one per 2,000-row chunk), audit insert
    with django_assert_num_queries(10):
        response = client.get("/inbox/export.xlsx?view=all")
        b"".join(response.streaming_content)
