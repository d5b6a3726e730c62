"""Who sees and acts on the mechanisms' records across bureaus (issue 14 §2).

Alerts, commitments, backlog cases, hearings, 督办函, leader receptions, petitioner lookups and
figures: a bureau reads those of its area (the city its districts'), a sibling bureau nothing; acting
on a record belongs to the bureau that holds it, supervision (督办) by an upper bureau excepted."""

from datetime import time, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from xinfang.alerts import actions as alert_actions
from xinfang.alerts.models import Alert, AlertKind
from xinfang.alerts.views import visible_alerts
from xinfang.commitments import actions as commitment_actions
from xinfang.commitments.selectors import visible_commitments
from xinfang.documents.delivery import may_serve
from xinfang.documents.models import IssuedDocument
from xinfang.hearings import actions as hearing_actions
from xinfang.ownership import actions as ownership_actions
from xinfang.ownership.selectors import visible_backlog
from xinfang.petitions.errors import Forbidden
from xinfang.petitions.personal import find_petitioners
from xinfang.reception import actions as reception_actions
from xinfang.reception.access import visible_slots
from xinfang.stats.views import scope_for
from xinfang.supervision import actions as supervision_actions
from xinfang.testing import VALID_ID, advance, make_city, make_petition, make_user
from xinfang.units import bureaus

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


@pytest.fixture
def district_matter(world):
    """A 海州区 matter in handling at 新海街道 (registered by the district's desk)."""
    return advance(make_petition(world), world, to="handling")


def test_the_shared_helpers_follow_the_tree(city, world):
    assert bureaus.owns(world.registrar, world.town_a)
    assert not bureaus.owns(city.city_registrar, world.town_a)  # the district's, not the city's
    assert bureaus.owns(city.city_registrar, city.city_housing)
    assert bureaus.reaches(city.city_registrar, world.town_a)  # the city reads its districts
    assert not bureaus.reaches(city.lianyun_registrar, world.town_a)  # siblings read nothing
    assert not bureaus.reaches(world.registrar, city.lianyun_town)
    assert bureaus.scope_unit(city.city_leader) is None
    assert bureaus.scope_unit(city.lianyun_leader) == city.lianyun


def test_alerts_are_read_in_the_area_and_closed_by_the_holding_bureau(city, world, district_matter):
    alert = Alert.objects.create(
        kind=AlertKind.URGENT, title="紧急", dedupe_key="t:1", unit=world.town_a, petition=district_matter
    )
    unit_alert = Alert.objects.create(
        kind=AlertKind.SURGE, title="激增", dedupe_key="t:2", unit=city.lianyun_town
    )
    assert alert in visible_alerts(city.city_leader) and alert in visible_alerts(world.registrar)
    assert alert not in visible_alerts(city.lianyun_registrar)
    assert unit_alert not in visible_alerts(world.registrar)
    assert unit_alert in visible_alerts(city.lianyun_registrar)
    assert not alert_actions.can_manage(city.lianyun_leader, alert)
    with pytest.raises(Forbidden):
        alert_actions.alert_close(actor=city.city_leader, alert=alert, note="市局代为关闭")
    alert_actions.alert_close(actor=world.bureau_leader, alert=alert, note="已处理")


def test_commitments_are_recorded_only_by_the_holding_bureau(city, world, district_matter):
    due = timezone.localdate() + timedelta(days=10)
    with pytest.raises(Forbidden):
        commitment_actions.commitment_create(
            actor=city.city_registrar, petition=district_matter, unit=world.town_a, owner=world.leader_a,
            text="一周内修复", due=due,
        )  # fmt: skip
    made = commitment_actions.commitment_create(
        actor=world.registrar, petition=district_matter, unit=world.town_a, owner=world.leader_a,
        text="一周内修复", due=due,
    )  # fmt: skip
    assert made in visible_commitments(city.city_supervisor)
    assert made not in visible_commitments(city.lianyun_registrar)


def test_backlog_owner_is_assigned_by_the_holding_bureau_and_supervised_from_above(
    city, world, district_matter
):
    target = timezone.localdate() + timedelta(days=60)
    with pytest.raises(Forbidden):
        ownership_actions.backlog_create(
            actor=city.city_registrar, petition=district_matter, source="self", owner=world.leader_a,
            target_date=target,
        )  # fmt: skip
    backlog = ownership_actions.backlog_create(
        actor=world.registrar,
        petition=district_matter,
        source="city",
        owner=world.leader_a,
        target_date=target,
    )
    # 市交办: the city sets the district's report dates (supervision); a sibling may not.
    ownership_actions.backlog_add_report_due(
        actor=city.city_registrar, backlog=backlog, due=target - timedelta(days=30), kind="feedback"
    )
    with pytest.raises(Forbidden):
        ownership_actions.backlog_add_report_due(
            actor=city.lianyun_registrar, backlog=backlog, due=target, kind="feedback"
        )
    with pytest.raises(Forbidden):
        ownership_actions.backlog_resolve(actor=city.city_registrar, backlog=backlog, note="市局代为化解")
    assert backlog in visible_backlog(city.city_leader)
    assert backlog not in visible_backlog(city.lianyun_leader)


def test_hearings_are_scheduled_by_the_holding_bureau(city, world, district_matter):
    when = timezone.now() + timedelta(days=3)
    with pytest.raises(Forbidden):
        hearing_actions.hearing_schedule(
            actor=city.city_registrar,
            petition=district_matter,
            scheduled_at=when,
            place="市局",
            host=city.city_leader,
        )
    hearing = hearing_actions.hearing_schedule(
        actor=world.bureau_leader,
        petition=district_matter,
        scheduled_at=when,
        place="区局",
        host=world.bureau_leader,
    )
    assert hearing.pk


def test_supervision_reaches_down_never_across(city, world, district_matter):
    due = timezone.localdate() + timedelta(days=10)
    notice = supervision_actions.notice_issue(
        actor=city.city_supervisor, unit=world.town_a, trigger="overdue", facts="超期未办结",
        reply_due=due, petition=district_matter,
    )  # fmt: skip
    with pytest.raises(Forbidden):
        supervision_actions.notice_issue(
            actor=city.lianyun_leader, unit=world.town_a, trigger="overdue", facts="超期未办结", reply_due=due
        )
    assert notice in supervision_actions.notices_visible_to(world.supervisor)  # to a unit of its area
    assert notice in supervision_actions.notices_visible_to(city.city_leader)
    assert notice not in supervision_actions.notices_visible_to(city.lianyun_leader)
    with pytest.raises(Forbidden):  # the issuing bureau closes its own 督办函
        supervision_actions.notice_close(actor=world.supervisor, notice=notice, reason="区局销号")
    supervision_actions.notice_close(actor=city.city_supervisor, notice=notice, reason="已整改")


def test_leader_receptions_belong_to_the_leaders_bureau(city, world):
    day = timezone.localdate() + timedelta(days=2)
    with pytest.raises(Forbidden):
        reception_actions.slot_create(
            actor=city.city_registrar, leader=world.leader_a, date=day, start_time=time(9), end_time=time(11)
        )
    slot = reception_actions.slot_create(
        actor=world.registrar, leader=world.leader_a, date=day, start_time=time(9), end_time=time(11)
    )
    assert slot in visible_slots(city.city_leader)
    assert slot not in visible_slots(city.lianyun_registrar)


def test_a_sibling_bureau_does_not_find_a_person_known_only_next_door(city, world, district_matter):
    assert find_petitioners(city.lianyun_registrar, id_number=VALID_ID) == []
    assert [p.pk for p in find_petitioners(city.city_registrar, id_number=VALID_ID)] == [
        district_matter.petitioner_links.get().petitioner_id
    ]
    assert find_petitioners(world.registrar, id_number=VALID_ID)


def test_figures_cover_the_bureaus_area(city, world):
    lianyun_viewer = make_user("lianyun_viewer", "supervisor", city.lianyun_bureau)
    assert scope_for(lianyun_viewer) == (city.lianyun_bureau, None)
    assert scope_for(city.city_leader) == (city.city_bureau, None)
    assert scope_for(city.city_leader, world.town_a.pk) == (None, world.town_a)
    assert scope_for(city.city_leader, None, world.bureau.pk) == (world.bureau, None)  # drill-down
    with pytest.raises(Http404):
        scope_for(lianyun_viewer, world.town_a.pk)
    with pytest.raises(Http404):
        scope_for(lianyun_viewer, None, world.bureau.pk)


def test_documents_are_served_by_the_holding_bureau(city, world):
    petition = advance(make_petition(world), world, to="issued")
    document = IssuedDocument.objects.filter(petition=petition).first()
    assert document is not None
    assert may_serve(world.registrar, petition, document)
    assert not may_serve(city.city_registrar, petition, document)
