"""Personal data: encrypted at rest, exact lookup by keyed hash, every read audited."""

import logging

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings

from xinfang.audit.models import AuditLog
from xinfang.petitions.errors import Forbidden
from xinfang.petitions.personal import find_petitioners, reveal
from xinfang.testing import VALID_ID, advance, make_petition

pytestmark = pytest.mark.django_db


def test_id_phone_and_address_are_not_stored_in_clear(world):
    petition = make_petition(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM petitions_petitioner")
        raw = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert VALID_ID not in raw
    assert "13812345678" not in raw
    assert "朝阳小区3栋" not in raw
    petitioner = petition.petitioners.get()
    assert petitioner.id_number_masked == "320***********1236"
    assert petitioner.phone_masked == "138****5678"


def test_reveal_writes_an_audit_row_per_read(world):
    petition = advance(make_petition(world), world, to="routed")
    petitioner = petition.petitioners.get()
    assert reveal(world.handler_a, petitioner, "id_number") == VALID_ID
    assert reveal(world.handler_a, petitioner, "phone") == "13812345678"
    assert reveal(world.registrar, petitioner, "address") == "新海街道朝阳小区3栋"
    rows = list(AuditLog.objects.order_by("pk").values_list("user__username", "action", "object_id"))
    assert rows == [
        ("handler_a", "view_id_number", str(petitioner.pk)),
        ("handler_a", "view_phone", str(petitioner.pk)),
        ("registrar", "view_address", str(petitioner.pk)),
    ]
    assert all(VALID_ID not in log.detail for log in AuditLog.objects.all())


def test_reveal_refused_for_a_unit_that_cannot_see_the_petitioner(world):
    petition = advance(make_petition(world), world, to="routed")
    with pytest.raises(Forbidden):
        reveal(world.handler_b, petition.petitioners.get(), "phone")
    assert not AuditLog.objects.exists()


def test_lookup_by_id_number_or_phone_is_exact_and_audited(world):
    make_petition(world)
    assert [p.name for p in find_petitioners(world.registrar, id_number=VALID_ID.lower())] == ["张三"]
    assert [p.name for p in find_petitioners(world.registrar, phone="138 1234 5678")] == ["张三"]
    assert find_petitioners(world.registrar, phone="13812345679") == []
    assert AuditLog.objects.filter(action="lookup").count() == 2


def test_lookup_by_a_unit_is_limited_to_what_it_may_see(world):
    make_petition(world)
    assert find_petitioners(world.handler_b, id_number=VALID_ID) == []


def test_same_person_is_reused_across_petitions(world):
    first = make_petition(world)
    second = make_petition(world, title="另一事项")
    assert first.petitioners.get().pk == second.petitioners.get().pk


def test_personal_data_never_logged(world, caplog):
    caplog.set_level(logging.DEBUG)
    petition = make_petition(world)
    reveal(world.registrar, petition.petitioners.get(), "phone")
    assert "13812345678" not in caplog.text and VALID_ID not in caplog.text


@override_settings(PASSWORD_HASHERS=__import__("xinfang.settings", fromlist=["x"]).PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2():
    assert make_password("secret-password").startswith("argon2$")
