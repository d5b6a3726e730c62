"""The live server the browser tests drive answers each request on a database connection of its own.

When the request threads shared the test thread's SQLite connection (pytest-django shares it when
the test database is in memory and already set up as the live server starts, as in any `make test`
worker once a database test has run), a request's transaction mixed with whatever else was running
on that connection: a triage-panel request still in flight as the desk form was posted opened its
savepoint inside the registration's transaction and rolled it back, taking the new petition with it,
and the registration failed at commit with "FOREIGN KEY constraint failed" (test_city_flow, once in
four full runs)."""

from __future__ import annotations

import json
from urllib.request import urlopen

import pytest
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path

from xinfang.units.models import Unit, UnitKind, UnitLevel

CODE = "LIVE-SERVER-PROBE"


def probe(request):
    return JsonResponse(
        {
            "in_atomic_block": connection.in_atomic_block,
            "sees_uncommitted_unit": Unit.objects.filter(code=CODE).exists(),
        }
    )


urlpatterns = [path("probe/", probe)]


@pytest.mark.django_db(transaction=True)
def test_live_server_request_has_its_own_transaction(django_db_setup, live_server, settings):
    # django_db_setup first: the database exists before the live server starts, as in a full run.
    settings.ROOT_URLCONF = __name__
    with transaction.atomic():
        Unit.objects.create(name="未提交的单位", code=CODE, level=UnitLevel.TOWN, kind=UnitKind.TERRITORIAL)
        with urlopen(f"{live_server.url}/probe/", timeout=60) as response:
            body = json.loads(response.read())
    assert body == {"in_atomic_block": False, "sees_uncommitted_unit": False}
