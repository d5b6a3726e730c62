"""The list costs a fixed number of queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.petitions import actions
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db

# Token lookup (with the user and unit), the count, the page of rows; for bureau staff one more:
# the area of their bureau (units/bureaus.py).
LIST_QUERIES = 3


def fill(world, n: int) -> None:
    for i in range(n):
        petition = make_petition(
            world, title=f"事项{i}", petition_class="claim", category_id=world.subcategory.pk
        )
        if i % 2:
            actions.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)


@pytest.mark.parametrize("persona", ["registrar", "handler_a"])
def test_list_query_count_is_pinned(world, api, django_assert_num_queries, persona):
    caller = api(getattr(world, persona))
    fill(world, 4)
    caller.get("/petitions")  # the first call also records the token's use
    # Bureau staff read their area's units; unit staff their unit's subtree and its joint cases
    # (petitions/access.py): fixed, whatever the number of rows.
    expected = LIST_QUERIES + (1 if getattr(world, persona).is_bureau_staff else 2)
    with django_assert_num_queries(expected):
        small = caller.get("/petitions", limit=200)
    fill(world, 16)
    with django_assert_num_queries(expected):
        large = caller.get("/petitions", limit=200, ordering="current_due", due_state="on_time")
    assert small.status_code == large.status_code == 200
    assert len(large.json()["items"]) > len(small.json()["items"]) > 0


def test_detail_query_count_does_not_grow_with_petitioners(world, api):
    from xinfang.petitions.actions import PetitionerInput

    caller = api(world.registrar)
    one = make_petition(world)
    many = make_petition(
        world,
        channel="letter",
        head_count=8,
        petitioners=[PetitionerInput(name=f"信访人{i}") for i in range(8)],
    )
    caller.get("/units")
    with CaptureQueriesContext(connection) as first:
        caller.get(f"/petitions/{one.pk}")
    with CaptureQueriesContext(connection) as second:
        caller.get(f"/petitions/{many.pk}")
    assert len(first) == len(second)
