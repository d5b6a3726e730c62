"""Every entry of a user's menu opens for that user."""

import pytest

from xinfang.web.nav import items_for

PERSONAS = [
    "registrar",
    "bureau_leader",
    "supervisor",
    "admin",
    "handler_a",
    "leader_a",
    "hearing_member",
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_entry_opens_for_its_user(world, client, persona):
    user = getattr(world, persona)
    client.force_login(user)
    items = items_for(user)
    assert items
    for item in items:
        response = client.get(item["url"], follow=True)
        assert response.status_code == 200, (persona, item["url"], response.status_code)
