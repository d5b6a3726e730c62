"""Detectors raise once (dedupe), link the petitions, and report Art. 25 matters up."""

import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.alerts.models import Alert, AlertKind, AlertNotice, ReportUp
from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.models import Petition
from xinfang.stats import detectors, jobs
from xinfang.testing import make_petition

pytestmark = pytest.mark.django_db


def _person(i):
    return [PetitionerInput(name=f"居民{i}", phone=f"1381234{i:04d}", address=f"新海街道朝阳小区{i}栋")]


def test_urgent_petition_raises_once_and_is_reported_up(world):
    p = make_petition(world, is_urgent=True)
    jobs.run_once(force=True)
    jobs.run_once(force=True)
    alerts = Alert.objects.filter(kind=AlertKind.URGENT)
    assert alerts.count() == 1
    alert = alerts.get()
    assert alert.petition_id == p.pk and alert.reported_up_at is not None
    reports = {r.kind: r.unit for r in ReportUp.objects.filter(alert=alert)}
    # the bureau's parent (district leadership) and the level above (city; no city bureau in the world);
    # Art. 25 also names the joint conference office (at the bureau) and the national bureau (not in
    # the tree); the matter is not routed yet, so there is no competent department to tell.
    assert reports == {
        "same_level": world.district,
        "joint_conference": world.bureau,
        "upper_bureau": world.city,
        "national_bureau": None,
    }
    assert p.events.filter(action="mechanism").exists()
    assert AlertNotice.objects.filter(alert=alert).exists()


def test_skip_level_flag_raises_alert_once(world):
    p = make_petition(world)
    Petition.objects.filter(pk=p.pk).update(is_skip_level=True)
    assert jobs.run_once(force=True) >= 1
    jobs.run_once(force=True)
    assert Alert.objects.filter(kind=AlertKind.SKIP_LEVEL, petition=p).count() == 1


def test_collective_matter_groups_many_petitioners(world, monkeypatch):
    # Our own grouping (the fallback when the triage helper offers none).
    monkeypatch.setitem(sys.modules, "xinfang.triage.groups", None)
    ids = []
    for i in range(6):
        p = make_petition(
            world,
            petitioners=_person(i),
            town_id=world.town_a.pk,
            title="朝阳小区物业擅自上调停车费",
            content=f"朝阳小区物业公司擅自把停车费从每月一百元上调到三百元，业主强烈反对，要求退还{i}。",
        )
        ids.append(p.pk)
    make_petition(
        world, petitioners=_person(99), title="幸福路路灯不亮", content="幸福路上路灯坏了三个月没人修。"
    )
    Alert.objects.filter(kind=AlertKind.COLLECTIVE).delete()  # in case the triage helper raised it already
    assert detectors.detect_collective() == 1
    assert detectors.detect_collective() == 0
    jobs.run_once(force=True)
    alert = Alert.objects.get(kind=AlertKind.COLLECTIVE)
    assert AlertNotice.objects.filter(alert=alert, unit=world.town_a).count() == 1  # follow-up done once
    assert set(alert.petitions.values_list("pk", flat=True)) == set(ids)
    assert alert.data["people"] == 6


def test_repeat_escalation(world):
    person = _person(7)
    now = timezone.now()
    for days in (2, 9, 20):
        make_petition(world, petitioners=person, received_at=now - timedelta(days=days))
    assert detectors.detect_repeat_escalation() == 1
    assert detectors.detect_repeat_escalation() == 0
    assert Alert.objects.get(kind=AlertKind.REPEAT_ESCALATION).petitions.count() == 3


def test_surge_detector_alarms_on_category_rise_once(world):
    now = timezone.now()
    for day in range(56, 3, -4):  # a quiet baseline: one petition every four days
        make_petition(
            world,
            category_id=world.subcategory.pk,
            received_at=now - timedelta(days=day, hours=1),
            petitioners=_person(day),
        )
    for i in range(12):  # then twelve in two days
        make_petition(
            world,
            category_id=world.subcategory.pk,
            received_at=now - timedelta(hours=2 + i * 3),
            petitioners=_person(100 + i),
        )
    assert detectors.detect_surges() >= 1
    assert detectors.detect_surges() == 0
    alert = Alert.objects.filter(kind=AlertKind.SURGE, data__series=f"category:{world.category.pk}").get()
    assert alert.data["observed"] >= 10
