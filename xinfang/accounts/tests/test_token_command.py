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
