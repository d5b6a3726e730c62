from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xinfang.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_working_token_on_its_last_line(world, client):
    out = StringIO()
    call_command("token", "create", "--user", world.registrar.username, "--name", "市平台对接", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=world.registrar)
    assert token.name == "市平台对接"
    assert token.token_hash != raw and raw not in token.token_hash  # stored hashed
    assert ApiToken.authenticate(raw) == world.registrar
    answer = client.get("/api/v1/petitions", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200


def test_token_create_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "create", "--user", "nobody", "--name", "x", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_a_city_users_token_works_inside_that_users_bureau_only(world, client):
    """Issue 14 §7: a token made for a district's registrar answers with that
    district's matters, not a sibling district's."""
    from xinfang.testing import make_city, make_petition

    city = make_city(world)
    own = make_petition(world, actor=city.lianyun_registrar, title="连云区的事项")
    sibling = make_petition(world, actor=world.registrar, title="海州区的事项")
    out = StringIO()
    call_command("token", "create", "--user", "lianyun_registrar", "--name", "连云区对接", stdout=out)
    auth = {"Authorization": f"Bearer {out.getvalue().strip().splitlines()[-1]}"}
    answer = client.get("/api/v1/petitions", headers=auth)
    assert answer.status_code == 200
    numbers = {row["case_number"] for row in answer.json()["items"]}
    assert numbers == {own.case_number}
    assert client.get(f"/api/v1/petitions/{own.pk}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/petitions/{sibling.pk}", headers=auth).status_code == 404
