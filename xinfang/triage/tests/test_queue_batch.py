"""The worker triages its claimed batch with one prediction per model, and stores what one by one would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.testing import make_petition
from xinfang.triage import queue, service, suggest
from xinfang.triage.models import TriagePending, TriageRecord
from xinfang.triage.textmodel import TextClassifier
from xinfang.triage.training import train_from_database
from xinfang.units.models import Category

from .conftest import person

pytestmark = pytest.mark.django_db

LAMP = "新海街道建设路靠近学府名苑一段晚上路灯不亮，行人和电动车经常碰撞，请求维修路灯。"
NOISE = "新海街道凤凰城小区旁边的工地每天晚上十点以后还在施工，机器轰鸣噪音扰民，居民无法休息。"


@pytest.fixture
def trained(world):
    lamps = Category.objects.create(name="市政设施", code="0102", parent=world.category)
    noise = Category.objects.create(name="噪声污染", code="0201")
    for text, category, unit in ((LAMP, lamps, world.town_a), (NOISE, noise, world.town_b)):
        for i in range(12):
            p = make_petition(
                world, title=text[:12], content=f"{text}（第{i + 1}次反映）", petitioners=[person()]
            )
            Petition.objects.filter(pk=p.pk).update(
                status=Status.CLOSED,
                petition_class="claim",
                claim_route=6,
                category=category,
                handling_unit=unit,
            )
    version = train_from_database()
    assert version is not None
    return version


def _register(world, n):
    texts = [
        LAMP.replace("建设路", f"建设路{i}号") if i % 2 else NOISE.replace("十点", f"{10 + i % 3}点")
        for i in range(n)
    ]
    return [make_petition(world, title=t[:12], content=t, petitioners=[person()]) for t in texts]


def test_a_batch_is_predicted_once_per_model(world, trained, settings, monkeypatch):
    settings.TRIAGE_ON_REGISTER = True
    petitions = _register(world, 6)
    calls = []
    real = TextClassifier.predict

    def counted(self, texts, *args, **kwargs):
        calls.append(len(list(texts)))
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(TextClassifier, "predict", counted)
    assert queue.drain(limit=50) == 6
    models = len(suggest.current_models().models)
    assert models >= 2  # category and unit (one class only: no class model)
    assert calls == [6] * models  # one call per model for the whole batch, none per petition
    assert TriageRecord.objects.filter(petition__in=petitions).count() == 6
    assert not TriagePending.objects.exists()


def test_the_batch_stores_the_suggestions_one_by_one_would(world, trained, settings):
    settings.TRIAGE_ON_REGISTER = True
    petitions = _register(world, 5)
    assert queue.drain(limit=50) == 5
    batched = {r.petition_id: r.suggestions for r in TriageRecord.objects.filter(petition__in=petitions)}
    for p in petitions:
        alone, version = suggest.suggest(
            title=p.title, text=p.content, town_id=p.town_id, place=p.place_address
        )
        assert version == trained.pk
        assert batched[p.pk] == {k: v.as_dict() for k, v in alone.items()}


def test_a_batch_s_suggestions_name_the_version_that_made_them_without_asking_again(world, trained):
    text = suggest.model_text("路灯不亮", LAMP)
    predicted = suggest.predict_batch([text])
    with CaptureQueriesContext(connection) as queries:
        found, version = suggest.suggest(title="路灯不亮", text=LAMP, predicted=predicted)
    assert not [q for q in queries.captured_queries if "triage_modelversion" in q["sql"]]
    alone, alone_version = suggest.suggest(title="路灯不亮", text=LAMP)
    assert version == alone_version == trained.pk and found == alone


def test_a_petition_failing_in_a_batch_does_not_hold_back_the_others(world, trained, settings, monkeypatch):
    settings.TRIAGE_ON_REGISTER = True
    petitions = _register(world, 4)
    real = service.triage_petition

    def failing_for_one(petition, **batch):
        if petition.pk == petitions[1].pk:
            raise RuntimeError("broken text")
        return real(petition, **batch)

    monkeypatch.setattr(service, "triage_petition", failing_for_one)
    assert queue.drain(limit=50) == 3
    assert set(TriageRecord.objects.values_list("petition_id", flat=True)) >= {
        p.pk for i, p in enumerate(petitions) if i != 1
    }
    row = TriagePending.objects.get()
    assert row.petition_id == petitions[1].pk and row.last_error == "RuntimeError"


def test_the_batch_falls_back_to_one_by_one_when_the_models_fail(world, trained, settings, monkeypatch):
    settings.TRIAGE_ON_REGISTER = True
    petitions = _register(world, 3)

    def broken(texts):
        raise MemoryError

    monkeypatch.setattr(service, "predict_batch", broken)
    assert queue.drain(limit=50) == 3
    assert TriageRecord.objects.filter(petition__in=petitions).count() == 3
    assert all(r.suggestions.get("category") for r in TriageRecord.objects.filter(petition__in=petitions))


def test_a_batch_reads_each_petition_s_people_as_one_by_one_would(world, settings):
    from xinfang.triage import history

    same_person = person("王建国", phone="13800000001")
    first = make_petition(world, title="路灯不亮", content=LAMP, petitioners=[same_person])
    group = [person("李四", phone="13800000002", is_representative=True), person("赵五"), same_person]
    second = make_petition(world, title="噪音扰民", content=NOISE, petitioners=group)
    alone = make_petition(world, title="路灯不亮", content=LAMP, petitioners=[person("孙六")])
    ids = [first.pk, second.pk, alone.pk]
    batched = history.people_of_petitions(ids)
    for pk in ids:
        assert batched[pk] == history.people_of_petitions([pk])[pk]
    assert batched[second.pk].representatives == [True, False, False]
    assert (
        batched[first.pk].petitioner_ids
        == batched[second.pk].petitioner_ids & batched[first.pk].petitioner_ids
    )
    assert batched[first.pk].petitioner_ids < batched[second.pk].petitioner_ids  # the shared person
    assert not batched[alone.pk].petitioner_ids & batched[first.pk].petitioner_ids


def test_a_repeat_inside_one_batch_is_flagged(world, settings):
    settings.TRIAGE_ON_REGISTER = True
    same_person = person("王建国")
    first = make_petition(world, title="路灯不亮", content=LAMP, petitioners=[same_person])
    second = make_petition(world, title="路灯不亮", content=LAMP, petitioners=[same_person])
    assert queue.drain(limit=50) == 2
    record = TriageRecord.objects.get(petition=second)
    assert first.pk in record.history and record.is_repeat


def test_a_group_counts_distinct_people_or_its_head_counts_when_larger(world):
    from xinfang.triage import groups

    shared = person("周七")
    a = make_petition(world, title="电梯停运", content=LAMP, petitioners=[shared, person("吴八")])
    b = make_petition(world, title="电梯停运", content=LAMP, petitioners=[shared])
    Petition.objects.filter(pk__in=[a.pk, b.pk]).update(head_count=1)  # fewer heads than people
    group = groups.join(a, [b.pk])
    assert group.people == 2 == groups.people_of([a.pk, b.pk])  # 周七 counted once
    c = make_petition(world, title="电梯停运", content=LAMP, petitioners=[person("郑九")])
    Petition.objects.filter(pk=c.pk).update(head_count=12)  # a visit of twelve, one registered
    group = groups.join(c, [a.pk])
    assert group.people == 14 == groups.people_of([a.pk, b.pk, c.pk])  # heads 1 + 1 + 12 > 3 people
