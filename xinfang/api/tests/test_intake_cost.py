"""What an API intake writes, and in how many statements (issue 15: intake CPU).

One transaction: the idempotency claim, the petition (with its due date), its search row and
triage queue row, the petitioners (found in one query each), their links, the deadline, the
event, the case number and the acknowledgement message."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.lib.idcard import id_check_digit
from xinfang.notifications.models import Notification
from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.actions.intake import find_or_create_petitioner
from xinfang.petitions.deadlines import refresh_current_due
from xinfang.petitions.models import CaseSequence, Petition, Petitioner

from .conftest import intake_body

pytestmark = pytest.mark.django_db

# Token (with user and unit), the idempotency probe, BEGIN, the claim, the petition, its triage
# queue row and search row, the petitioner lookup and insert, the link, the deadline, the event,
# the claim's petition, the number, the petition's number, the message in a savepoint, COMMIT.
INTAKE_STATEMENTS = 19


def other_id(serial: int) -> str:
    first17 = f"32070619900101{serial:03d}"
    return first17 + id_check_digit(first17)


def test_an_api_intake_is_one_transaction_of_pinned_statements(world, api):
    caller = api(world.registrar)
    assert caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "warm"}).status_code == 201
    body = intake_body(petitioners=[{"name": "李四", "id_number": other_id(7), "phone": "13900001111"}])
    with CaptureQueriesContext(connection) as queries:
        response = caller.post("/petitions", body, headers={"Idempotency-Key": "counted"})
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":  # SQLite's BEGIN is not logged
        # (In the test's own transaction, BEGIN/COMMIT are a SAVEPOINT and its RELEASE.)
        assert len(statements) == INTAKE_STATEMENTS, statements
    else:
        assert len(statements) <= INTAKE_STATEMENTS, statements
    petition = Petition.objects.get(pk=response.json()["id"])
    # The acknowledgement went with the registration, naming the real number.
    (message,) = Notification.objects.filter(petition=petition)
    assert message.template == "registered" and petition.case_number in message.body
    # The due date written with the INSERT is the one refresh_current_due computes.
    written = (petition.current_due, petition.current_due_rule, petition.current_due_provisional)
    refresh_current_due(petition)
    assert (petition.current_due, petition.current_due_rule, petition.current_due_provisional) == written
    assert written[0] is not None and written[1] == "route"


def test_the_replay_of_a_key_still_answers_with_its_petition(world, api):
    caller = api(world.registrar)
    first = caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "again"})
    second = caller.post("/petitions", intake_body(), headers={"Idempotency-Key": "again"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Notification.objects.filter(template="registered").count() == 1


def test_case_numbers_run_on_per_bureau_and_year_without_gaps(world):
    from xinfang.testing import make_petition

    last_year = timezone.make_aware(datetime(timezone.localdate().year - 1, 12, 30, 10))
    numbers = [make_petition(world, title=f"事项{i}").case_number for i in range(3)]
    old = make_petition(world, title="去年收到的事项", received_at=last_year)
    year = timezone.localdate().year
    prefix = world.bureau.case_prefix or "海"
    assert [n.split("〕")[1] for n in numbers] == ["00001号", "00002号", "00003号"]
    assert old.case_number.endswith(f"〔{year - 1}〕00001号")
    assert {(s.year, s.last) for s in CaseSequence.objects.filter(prefix=prefix)} == {
        (year, 3),
        (year - 1, 1),
    }


def test_a_known_petitioner_is_found_in_the_same_order_as_before():
    by_id = Petitioner(name="张三")
    by_id.set_id_number(other_id(1))
    by_id.save()
    by_phone = Petitioner(name="张三")
    by_phone.set_phone("13800000001")
    by_phone.save()
    by_address = Petitioner(name="张三")
    by_address.set_address("新海街道朝阳小区3栋")
    by_address.save()

    # The ID number wins over phone + name and name + address, which match other rows.
    found = find_or_create_petitioner(
        PetitionerInput(
            name="张三", id_number=other_id(1), phone="13800000001", address="新海街道朝阳小区3栋"
        )
    )
    assert found.pk == by_id.pk
    # …and what the found row lacked is added to it (phone, address), not to the others.
    found.refresh_from_db()
    assert found.phone_hash == by_phone.phone_hash and found.name_address_hash == by_address.name_address_hash
    # Without an ID number: phone + name (the earliest such row) before name + address.
    assert find_or_create_petitioner(PetitionerInput(name="张三", phone="13800000001")).pk == by_id.pk
    assert (
        find_or_create_petitioner(PetitionerInput(name="张三", address="新海街道朝阳小区3栋")).pk == by_id.pk
    )
    # A phone under another name is another person; an unknown ID number is a new petitioner.
    other = find_or_create_petitioner(PetitionerInput(name="李四", phone="13800000001"))
    assert other.pk not in {by_id.pk, by_phone.pk, by_address.pk}
    new = find_or_create_petitioner(PetitionerInput(name="张三", id_number=other_id(2)))
    assert new.pk not in {by_id.pk, by_phone.pk, by_address.pk, other.pk}
    assert Petitioner.objects.count() == 5


def test_a_known_petitioner_with_nothing_new_is_not_rewritten(django_assert_num_queries):
    known = Petitioner(name="王五")
    known.set_id_number(other_id(3))
    known.save()
    with django_assert_num_queries(1):  # the lookup only
        assert find_or_create_petitioner(PetitionerInput(name="王五", id_number=other_id(3))).pk == known.pk


def test_then_runs_before_the_number_is_taken(world):
    # The portal's attachments are hashed and written while the sequence row is not yet locked.
    from xinfang.petitions.actions import PetitionInput, petition_register_idempotent

    seen = []

    def then(petition):
        seen.append((petition.case_number, CaseSequence.objects.filter(last__gt=0).exists()))

    data = PetitionInput(
        channel="visit",
        title="小区物业乱收停车费",
        content="物业公司擅自提高停车费。",
        petitioners=[PetitionerInput(name="张三", phone="13812345678")],
    )
    petition, created = petition_register_idempotent(
        actor=world.registrar, data=data, key="then", fingerprint="f", then=then
    )
    assert created and seen[0][0].startswith("TMP-") and seen[0][1] is False
    assert not petition.case_number.startswith("TMP-")
