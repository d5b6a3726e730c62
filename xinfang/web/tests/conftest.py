import pytest


@pytest.fixture
def login(client):
    """login(user) → the test client signed in as that persona."""

    def _login(user):
        client.logout()
        client.force_login(user)
        return client

    return _login
