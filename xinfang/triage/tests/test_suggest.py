"""Suggestions: catalogue-only mode, retraining from the database, corrections as training data."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.testing import make_petition
from xinfang.triage.models import Correction, ModelVersion
from xinfang.triage.service import apply_suggestion, triage_petition
from xinfang.triage.suggest import suggest
from xinfang.triage.training import train_from_database
from xinfang.units.models import Category

from .conftest import person

LAMP = "新海街道建设路靠近学府名苑一段晚上路灯不亮，行人和电动车经常碰撞，请求维修路灯。"
NOISE = "新海街道凤凰城小区旁边的工地每天晚上十点以后还在施工，机器轰鸣噪音扰民，居民无法休息。"


def test_catalogue_alone_suggests_unit_class_and_route_without_history(world):
    assert not ModelVersion.objects.exists() and not Petition.objects.exists()
    found, version = suggest(title="小区物业乱收费", text="物业公司擅自涨价，要求退还多收的物业费。")
    assert version is None
    assert found["unit"].value == str(world.housing.pk) and found["unit"].source == "catalogue"
    assert "物业" in found["unit"].evidence
    assert found["petition_class"].value == "claim" and found["petition_class"].source == "rule"
    assert "category" not in found  # no history, no category model
    place, _ = suggest(title="路面塌陷", text="幸福路与建设路交叉口路面塌陷一个多月无人修复。")
    assert place["unit"].value == str(world.town_b.pk) and "幸福路" in place["unit"].evidence
    community, _ = suggest(title="楼道堆物", text="朝阳社区3号楼楼道堆满杂物。")
    assert community["unit"].value == str(world.town_a.pk)  # a community answers for its town
    court, _ = suggest(title="判决执行不到位", text="法院判决对方支付货款，申请强制执行半年执行款仍未到位。")
    assert court["claim_route"].value == "1" and "判决" in court["claim_route"].evidence
    report, _ = suggest(title="反映村干部受贿", text="举报村干部收受好处费。")
    assert report["petition_class"].value == "accusation"
    assert report["unit"].value == str(world.discipline.pk)  # Art. 22: to discipline inspection


def test_triage_works_with_no_history_and_no_index(world):
    petition = make_petition(world, petitioners=[person()])
    record = triage_petition(petition)
    assert record.model_version is None and record.similar == [] and record.flags == []
    assert record.suggestions["unit"]["value"] == str(world.housing.pk)


def _concluded(world, text, n, *, category, unit):
    for i in range(n):
        p = make_petition(
            world, title=text[:12], content=f"{text}（第{i + 1}次反映）", petitioners=[person()]
        )
        Petition.objects.filter(pk=p.pk).update(
            status=Status.CLOSED, petition_class="claim", claim_route=6, category=category, handling_unit=unit
        )


def test_retraining_makes_new_version_and_corrections_change_suggestions(world):
    lamps = Category.objects.create(name="市政设施", code="0102", parent=world.category)
    noise = Category.objects.create(name="噪声污染", code="0201")
    _concluded(world, LAMP, 12, category=lamps, unit=world.town_a)
    _concluded(world, NOISE, 12, category=noise, unit=world.town_b)
    first = train_from_database()
    assert first is not None and first.n_train["category"] == 24
    found, version = suggest(title="路灯不亮", text=LAMP)
    assert version == first.pk and found["category"].value == str(lamps.pk)
    assert found["category"].source == "model" and 0 < found["category"].confidence <= 1
    assert found["category"].evidence
    # Registrars correct 30 new lamp petitions to the noise category: the next model follows them.
    for i in range(30):
        p = make_petition(
            world,
            title="路灯不亮",
            content=f"{LAMP}第{i}号路灯",
            petitioners=[person()],
            petition_class="claim",
        )
        correction = apply_suggestion(
            actor=world.registrar, petition=p, field="category", value=str(noise.pk)
        )
        assert correction.accepted is False and correction.suggested == ""
        p.refresh_from_db()
        assert p.category_id == noise.pk  # applied through petition_classify
    assert Correction.objects.filter(field="category", chosen=str(noise.pk)).count() == 30
    second = train_from_database()
    assert second.pk > first.pk and second.n_train["category"] == 54 and second.n_corrections == 30
    found, version = suggest(title="路灯不亮", text=LAMP)
    assert version == second.pk and found["category"].value == str(noise.pk)


def test_accepting_a_suggestion_is_recorded_as_acceptance(world):
    petition = make_petition(world, petitioners=[person()])
    record = triage_petition(petition)
    value = record.suggestions["petition_class"]["value"]
    correction = apply_suggestion(
        actor=world.registrar, petition=petition, field="petition_class", value=value
    )
    assert correction.accepted and correction.suggested == value
    petition.refresh_from_db()
    assert petition.petition_class == value
    assert petition.events.filter(action="classify").exists()


def _csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "topic"])
        writer.writerows(rows)


def test_csv_train_and_evaluate_commands(tmp_path, db):
    rows = [(i, f"{LAMP}编号{i}", "路灯") for i in range(15)] + [
        (100 + i, f"{NOISE}编号{i}", "噪音") for i in range(15)
    ]
    _csv(tmp_path / "train.csv", rows)
    _csv(tmp_path / "test.csv", [(1, "建设路路灯坏了晚上很黑", "路灯"), (2, "工地夜间施工噪音太大", "噪音")])
    out = io.StringIO()
    call_command(
        "triage",
        "train",
        "--data",
        str(tmp_path / "train.csv"),
        "--label-column",
        "topic",
        "--out",
        str(tmp_path / "model"),
        stdout=out,
    )
    trained = json.loads(out.getvalue())
    assert trained["n"] == 30 and trained["labels"] == 2
    # The CLI chooses its pipeline by CV on these rows and says which, with every candidate's figure.
    assert trained["chosen"] in trained["selection"]["candidates"]
    assert "plain_chars" in trained["selection"]["candidates"]
    out = io.StringIO()
    call_command(
        "triage",
        "evaluate",
        "--model",
        str(tmp_path / "model"),
        "--data",
        str(tmp_path / "test.csv"),
        "--label-column",
        "topic",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert set(result) == {"n", "accuracy", "macro_f1", "per_class", "docs_per_second", "model"}
    assert result["n"] == 2 and result["accuracy"] == 1.0
    assert result["model"]["chosen"] == trained["chosen"]
    assert result["model"]["selection"]["candidates"] == trained["selection"]["candidates"]
    assert set(result["per_class"]["路灯"]) == {"precision", "recall", "f1", "support"}


def test_train_command_from_database_without_history_keeps_catalogue_mode(world):
    out = io.StringIO()
    call_command("triage", "train", "--no-index", stdout=out)
    body = json.loads(out.getvalue())
    assert body["model_version"] is None and "派单目录" in body["note"]


def test_rebuild_index_command_explains_too_few_petitions_in_chinese(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="暂不建立相似事项索引"):
        call_command("triage", "rebuild-index", stdout=io.StringIO())
