from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from xinfang.audit.models import AuditLog
from xinfang.petitions.errors import ActionError
from xinfang.petitions.models import (
    Deadline,
    IdempotencyKey,
    Petition,
    Petitioner,
    PetitionEvent,
    PetitionPetitioner,
)

from .conftest import intake_body

pytestmark = pytest.mark.django_db


def counts() -> dict:
    models = (Petition, PetitionEvent, Deadline, PetitionPetitioner, Petitioner, IdempotencyKey)
    return {m.__name__: m.objects.count() for m in models}


def test_intake_registers_and_answers_with_case_number_and_query_code(world, api):
    received = (timezone.localtime() - timedelta(days=28)).replace(hour=9, minute=30, second=0, microsecond=0)
    body = intake_body(
        category_id=world.subcategory.pk,
        town_id=world.town_a.pk,
        is_urgent=True,
        received_at=received.replace(tzinfo=None).isoformat(),
    )
    response = api(world.registrar).post("/petitions", body)
    assert response.status_code == 201
    data = response.json()
    petition = Petition.objects.get(pk=data["id"])
    assert data["case_number"] == petition.case_number
    assert petition.check_query_code(data["query_code"])
    assert response["Location"] == data["url"] == f"/api/v1/petitions/{petition.pk}"
    assert response["Cache-Control"] == "no-store"
    assert petition.registered_by == world.registrar
    assert petition.is_urgent and petition.town == world.town_a and petition.category == world.subcategory
    # A naive time is Beijing time.
    assert data["received_at"] == received.isoformat()
    assert petition.received_at == received
    assert petition.deadlines.get().rule == "route"
    assert list(petition.events.values_list("action", flat=True)) == ["register"]

    detail = api(world.registrar).get(f"/petitions/{petition.pk}").json()
    assert "query_code" not in detail
    person = detail["petitioners"][0]
    assert person["id_number_masked"] == "320***********1236"
    assert person["phone_masked"] == "138****5678"
    assert "320706198001011236" not in str(detail) and "13812345678" not in str(detail)
    # Received four weeks ago: the 15-day routing period has run out.
    assert detail["deadlines"][0]["light"] == "red"
    assert detail["due_state"] == "overdue"
    assert detail["flags"]["is_urgent"] is True


def test_validation_errors_are_chinese_with_field_paths(world, api):
    body = intake_body(
        title="",
        channel="pigeon",
        head_count="很多",
        received_at="昨天",
        surprise=1,
        petitioners=[{"name": "张" * 101, "is_representative": "maybe"}, {"kind": "robot"}],
    )
    response = api(world.registrar).post("/petitions", body)
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "invalid"
    assert data["message"] == "提交的信息有误，请按提示修改"
    fields = data["fields"]
    assert fields["title"] == "此项不能为空"
    assert fields["channel"].startswith("取值不正确，可选值：online")
    assert fields["head_count"] == "应为整数"
    assert fields["received_at"].startswith("时间格式不正确")
    assert fields["surprise"] == "不支持该字段"
    assert fields["petitioners.0.name"] == "不能超过100个字符"
    assert fields["petitioners.0.is_representative"].startswith("应为是或否")
    assert fields["petitioners.1.name"] == "此项为必填项"
    assert fields["petitioners.1.kind"].startswith("取值不正确")
    assert Petition.objects.count() == 0


def test_business_validation_from_the_action_keeps_api_field_names(world, api):
    body = intake_body(town_id=999999, petitioners=[{"name": "李四", "id_number": "320706198001011230"}])
    response = api(world.registrar).post("/petitions", body)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields == {"town_id": "所选项目不存在", "petitioners.0.id_number": "身份证号码格式或校验位不正确"}


@pytest.mark.parametrize("raw", ["{not json", "", "[]", "null"])
def test_malformed_bodies_are_400_not_500(world, api, raw):
    response = api(world.registrar).post("/petitions", raw)
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid", "invalid_json"}
    assert response.json()["message"]


def test_roles_without_the_right_to_register_get_403(world, api):
    response = api(world.supervisor).post("/petitions", intake_body())
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "您无权登记信访事项", "fields": {}}


def test_same_idempotency_key_and_body_registers_once(world, api):
    caller = api(world.registrar)
    headers = {"Idempotency-Key": "intake-0001"}
    first = caller.post("/petitions", intake_body(), headers=headers)
    before = counts()
    second = caller.post("/petitions", intake_body(), headers=headers)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert counts() == before
    assert before["Petition"] == 1 and before["PetitionEvent"] == 1 and before["IdempotencyKey"] == 1
    # The key belongs to its user: another registrar's identical key is a new petition.
    other = api(world.bureau_leader).post("/petitions", intake_body(), headers=headers)
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_same_idempotency_key_with_another_body_is_409(world, api):
    caller = api(world.registrar)
    headers = {"Idempotency-Key": "intake-0002"}
    assert caller.post("/petitions", intake_body(), headers=headers).status_code == 201
    response = caller.post("/petitions", intake_body(title="另一件事"), headers=headers)
    assert response.status_code == 409
    assert response.json()["error"] == "idempotency_conflict"
    assert "幂等键" in response.json()["message"]
    assert Petition.objects.count() == 1


def test_overlong_idempotency_key_is_refused(world, api):
    response = api(world.registrar).post("/petitions", intake_body(), headers={"Idempotency-Key": "k" * 101})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


@pytest.mark.parametrize("key", [None, "intake-rollback"])
def test_failure_after_the_petition_row_rolls_everything_back(world, api, key):
    headers = {"Idempotency-Key": key} if key else {}
    before = counts()
    with mock.patch("xinfang.petitions.actions.intake.record_event", side_effect=DatabaseError("disk full")):
        response = api(world.registrar).post("/petitions", intake_body(), headers=headers)
    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "message": "服务器内部错误，操作未完成，请稍后重试",
        "fields": {},
    }
    assert counts() == before
    # The key was not spent: the retry succeeds.
    assert api(world.registrar).post("/petitions", intake_body(), headers=headers).status_code == 201


def test_refusal_after_the_petition_row_rolls_back_with_a_clean_400(world, api):
    before = counts()
    refusal = ActionError("invalid", "信访人信息有误", fields={"petitioners": "请核对"})
    with mock.patch(
        "xinfang.petitions.actions.intake.PetitionPetitioner.objects.bulk_create", side_effect=refusal
    ):
        response = api(world.registrar).post("/petitions", intake_body())
    assert response.status_code == 400
    assert response.json()["fields"] == {"petitioners": "请核对"}
    assert counts() == before
    assert not AuditLog.objects.exists()
