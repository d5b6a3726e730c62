import pytest

from xinfang.accounts.models import ApiToken
from xinfang.reception.tests.helpers import concluded_petition


@pytest.mark.django_db
def test_routers_are_mounted_under_api_v1_with_token_auth(client, world):
    concluded_petition(world)
    _, raw = ApiToken.issue(world.registrar, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for url in ["/api/v1/reception/joint", "/api/v1/ownership/backlog", "/api/v1/commitments/followups"]:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.content)
    assert len(client.get("/api/v1/commitments/followups", **headers).json()) == 2
    assert client.get("/api/v1/ownership/backlog").status_code == 401
