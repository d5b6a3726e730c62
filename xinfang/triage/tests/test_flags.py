"""Repeat (Arts. 19③, 36③), collective (Art. 20③) and skip-level (Art. 20①) flags, with evidence."""

from xinfang.petitions import actions as a
from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.choices import Channel, RejectionReason, Status
from xinfang.testing import advance, make_petition, make_unit, make_user
from xinfang.triage import index_sync
from xinfang.triage.inputs import draft_kwargs
from xinfang.triage.service import analyse_request, triage_petition

from .conftest import background_texts, person

MATTER_TITLE = "朝阳小区物业乱收停车费"
MATTER = "我是新海街道朝阳小区业主，物业公司鑫源物业公司擅自把停车费从每月100元提高到300元，没有公示依据，要求依法查处并退还多收费用。"
AGAIN = "新海街道朝阳小区物业公司鑫源物业公司擅自提高停车费到每月300元，我上次反映后没有解决，再次要求查处并退还多收的停车费。"


def _flag(record, kind):
    return next((f for f in record.flags if f["kind"] == kind), None)


def test_repeat_of_matter_still_registered_suggests_merge(world):
    someone = person("张三")
    first = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone])
    again = make_petition(world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone])
    record = triage_petition(again)
    flag = _flag(record, "repeat")
    assert flag["case"] == "open_same"  # the same bureau again: merge (was the generic "open")
    assert flag["action"] == {"name": "petition_merge", "earlier_id": first.pk, "label": "合并至原事项"}
    assert flag["evidence"][0]["petition_id"] == first.pk and flag["evidence"][0]["score"] > 0.23
    again.refresh_from_db()
    assert again.is_repeat and record.is_repeat


def _city_registrar(world):
    from xinfang.accounts.models import Role
    from xinfang.units.models import UnitKind, UnitLevel

    city_bureau = make_unit(
        "连云港市信访局", "320700-XF", parent=world.city, level=UnitLevel.CITY, kind=UnitKind.BUREAU
    )
    return make_user("city_registrar", Role.REGISTRAR, city_bureau)


def test_same_matter_in_handling_below_raised_with_body_above_suggests_rejection_under_art_19_3(world):
    someone = person("李四")
    first = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone])
    advance(first, world, to="handling")  # registered by the district bureau, accepted by 新海街道
    city_registrar = _city_registrar(world)
    again = make_petition(
        world, actor=city_registrar, title=MATTER_TITLE, content=AGAIN, petitioners=[someone]
    )
    flag = _flag(triage_petition(again), "repeat")
    assert flag["case"] == "open_below"
    assert flag["article"] == "《信访工作条例》第十九条第三款"
    assert "又向上级机关提出" in flag["message"] and "新海街道" in flag["message"]
    assert flag["action"]["name"] == "petition_reject"
    assert flag["action"]["reason_code"] == RejectionReason.SAME_MATTER_BELOW
    # The suggestion is one the workflow accepts as it stands, at the desk that holds the new request
    # (the body above: the district's desk no longer acts in the city's place).
    a.petition_reject(
        actor=city_registrar,
        petition=again,
        reason_code=flag["action"]["reason_code"],
        reason="同一事项正在办理",
        earlier=first,
    )
    again.refresh_from_db()
    assert again.status == Status.REJECTED


def test_same_matter_in_handling_brought_back_to_same_bureau_suggests_merge_not_rejection(world):
    # The old wording said "又向上级提出，建议不予受理" here: the petitioner came back to the district
    # bureau that registered the matter, which is not a body above (Art. 19③ does not apply).
    someone = person("李四")
    first = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone])
    advance(first, world, to="handling")
    again = make_petition(world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone])
    flag = _flag(triage_petition(again), "repeat")
    assert flag["case"] == "open_same"
    assert "上级" not in flag["message"] and "不予受理" not in flag["message"]
    assert "再次向本机关提出" in flag["message"] and "第十九条" not in flag["article"]
    assert flag["action"] == {"name": "petition_merge", "earlier_id": first.pk, "label": "合并至原事项"}


def test_same_matter_in_handling_above_raised_with_body_below_is_not_refused(world):
    from django.utils import timezone

    from xinfang.petitions.models import Petition
    from xinfang.units.models import UnitKind, UnitLevel

    someone = person("周九")
    city_registrar = _city_registrar(world)
    city_housing = make_unit(
        "市住房和城乡建设局", "320700-ZJ", parent=world.city, level=UnitLevel.CITY, kind=UnitKind.DEPARTMENT
    )
    first = make_petition(
        world, actor=city_registrar, title=MATTER_TITLE, content=MATTER, petitioners=[someone]
    )
    # Setup only: the city department has accepted the matter (the routing itself is not under test).
    Petition.objects.filter(pk=first.pk).update(
        status=Status.HANDLING, handling_unit=city_housing, accepted_at=timezone.now()
    )
    again = make_petition(world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone])
    flag = _flag(triage_petition(again), "repeat")
    assert flag["case"] == "open_above"
    assert "市住房和城乡建设局" in flag["message"] and "上级机关" in flag["message"]
    assert "本机关不应以此不予受理" in flag["message"]
    assert flag["article"] == "《信访工作条例》第二十二条第一款"  # a bureau transfers (Art. 22①)
    assert flag["action"] is None


def test_matter_final_after_rereview_suggests_refusal_under_art_36_3(world):
    someone = person("王五")
    first = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone])
    first = advance(first, world, to="final")
    assert first.is_final
    again = make_petition(world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone])
    flag = _flag(triage_petition(again), "repeat")
    assert flag["case"] == "final"
    assert flag["article"] == "《信访工作条例》第三十六条第三款"
    assert flag["action"]["name"] == "petition_refuse_final" and flag["action"]["earlier_id"] == first.pk
    a.petition_refuse_final(actor=world.registrar, petition=again, earlier=first, reason="复核终结")


def test_concluded_matter_asks_for_new_facts(world):
    someone = person("赵六")
    first = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone])
    a.petition_withdraw(petition=first, reason="已协商", actor=world.registrar)
    again = make_petition(world, title=MATTER_TITLE, content=AGAIN, petitioners=[someone])
    flag = _flag(triage_petition(again), "repeat")
    assert flag["case"] == "concluded" and flag["action"] is None
    assert "新的事实和理由" in flag["message"]


def test_different_matter_of_same_person_is_not_repeat(world):
    someone = person("钱七")
    make_petition(
        world,
        title="孩子入学划片不合理",
        content="我家住在新海街道，今年学区调整后孩子被划到很远的学校。",
        petitioners=[someone],
    )
    again = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=[someone])
    record = triage_petition(again)
    assert _flag(record, "repeat") is None
    assert record.history  # the earlier petition is in the history all the same


def test_group_visit_of_six_is_collective_with_representatives(world):
    people = [person(f"业主{i}", is_representative=i < 2) for i in range(6)]
    petition = make_petition(world, title=MATTER_TITLE, content=MATTER, petitioners=people)
    record = triage_petition(petition)
    flag = _flag(record, "collective")
    assert flag["case"] == "visit" and "6人" in flag["message"]
    assert flag["article"] == "《信访工作条例》第二十条第三款"
    petition.refresh_from_db()
    assert petition.is_collective


def test_panel_warns_when_more_than_five_representatives(world):
    data = {"title": MATTER_TITLE, "content": MATTER, "channel": "visit"}
    people = [{"name": f"代表{i}", "is_representative": True} for i in range(7)]
    body = analyse_request(world.registrar, draft_kwargs(data, people))
    flag = next(f for f in body["flags"] if f["kind"] == "collective")
    assert flag["case"] == "too_many_representatives" and "超过5人" in flag["message"]


def test_many_people_with_one_matter_are_grouped_and_warned(world):
    from xinfang.alerts.models import Alert, AlertKind
    from xinfang.triage.groups import collective_groups
    from xinfang.triage.models import TriageRecord

    for title, content, _ in background_texts(40):
        make_petition(world, title=title, content=content, petitioners=[person()], channel=Channel.LETTER)
    petitions = []
    for i in range(5):
        text = f"我是新海街道锦绣华庭小区{i + 1}号楼业主，锦绣华庭小区电梯已经停运{i + 3}个月，物业推说维修基金申请不下来，请求尽快维修电梯。"
        petitions.append(
            make_petition(
                world,
                title="锦绣华庭小区电梯长期故障无人维修",
                content=text,
                petitioners=[person()],
                channel=Channel.ONLINE,
            )
        )
        if i == 0:
            index_sync.rebuild()
    records = [triage_petition(p) for p in petitions]
    last = records[-1]
    flag = _flag(last, "collective")
    assert flag is not None and flag["case"] == "shared_matter"
    assert {e["petition_id"] for e in flag["evidence"]} <= {p.pk for p in petitions}
    assert last.group is not None and last.group.people == 5
    members = set(TriageRecord.objects.filter(group=last.group).values_list("petition_id", flat=True))
    assert members == {p.pk for p in petitions}
    assert any(g.pk == last.group.pk for g in collective_groups(petitions[0].received_at))
    alert = Alert.objects.get(kind=AlertKind.COLLECTIVE)
    assert alert.dedupe_key == f"collective:{petitions[0].pk}"
    assert set(alert.petitions.values_list("pk", flat=True)) == {p.pk for p in petitions}


def test_transfer_from_above_of_town_matter_not_raised_below_is_skip_level(world):
    petition = make_petition(
        world,
        title=MATTER_TITLE,
        content=MATTER,
        petitioners=[person()],
        channel=Channel.TRANSFER_FROM_ABOVE,
        town_id=world.town_a.pk,
    )
    record = triage_petition(petition)
    flag = _flag(record, "skip_level")
    assert flag is not None and "第二十条" in flag["article"]
    petition.refresh_from_db()
    assert petition.is_skip_level


def test_visit_to_county_bureau_about_town_matter_is_not_skip_level(world):
    petition = make_petition(
        world, title=MATTER_TITLE, content=MATTER, petitioners=[person()], town_id=world.town_a.pk
    )
    assert _flag(triage_petition(petition), "skip_level") is None


def test_visit_two_levels_above_is_skip_level_under_art_20(world):
    from xinfang.accounts.models import Role
    from xinfang.units.models import UnitKind, UnitLevel

    city_bureau = make_unit(
        "连云港市信访局", "320700-XF", parent=world.city, level=UnitLevel.CITY, kind=UnitKind.BUREAU
    )
    city_registrar = make_user("city_registrar", Role.REGISTRAR, city_bureau)
    petition = make_petition(
        world,
        actor=city_registrar,
        title="楼道杂物堆放",
        content="新海街道朝阳社区3号楼楼道堆满杂物，社区多次劝说无果。",
        petitioners=[person()],
        town_id=world.town_a.pk,
    )
    flag = _flag(triage_petition(petition), "skip_level")
    assert flag["case"] == "visit_too_high" and flag["article"] == "《信访工作条例》第二十条第一款"
    assert "新海街道" in flag["message"]
    # A county department's matter visited at the city is one level up: allowed (Art. 20①).
    housing = make_petition(
        world, actor=city_registrar, title=MATTER_TITLE, content=MATTER, petitioners=[person()]
    )
    assert _flag(triage_petition(housing), "skip_level") is None


def test_registration_queues_triage_for_the_worker(world, settings, django_capture_on_commit_callbacks):
    from xinfang.triage import queue
    from xinfang.triage.models import TriageRecord

    settings.TRIAGE_ON_REGISTER = True
    with django_capture_on_commit_callbacks(execute=True):
        petition = make_petition(
            world, title=MATTER_TITLE, content=MATTER, petitioners=[PetitionerInput(name="孙八")]
        )
    assert not TriageRecord.objects.filter(petition=petition).exists()  # the request does not triage
    assert queue.status(petition) == "pending"
    assert queue.drain() == 1
    petition.refresh_from_db()
    assert petition.triage.suggestions["unit"]["label"] == "区住房和城乡建设局"
