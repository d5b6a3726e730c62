"""Statistics and warnings roll up (issue 14 §5): each bureau's figures cover its area, the city's
add up its districts with a drill-down into each and a league of districts, and a surge spread
over several districts shows at the city, not in one district's warnings."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from ninja.testing import TestClient

from xinfang.alerts import actions as alert_actions
from xinfang.alerts.models import Alert, AlertKind
from xinfang.alerts.views import visible_alerts
from xinfang.petitions import actions as a
from xinfang.petitions.actions import PetitionerInput
from xinfang.petitions.errors import ActionError
from xinfang.stats import dashboard, detectors, hotspots, reports, rollup
from xinfang.stats.api import router
from xinfang.testing import PASSWORD, advance, make_city, make_petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    return make_city(world)


def _person(i):
    return [PetitionerInput(name=f"居民{i}", phone=f"1390000{i:04d}", address=f"某小区{i}栋")]


def _assigned_down_and_handled(city, world, **extra):
    """Registered at the city window, 交办 to 海州区信访局, routed on to 新海街道 and accepted."""
    petition = make_petition(world, actor=city.city_registrar, petitioners=_person(900), **extra)
    a.petition_classify(actor=city.city_registrar, petition=petition, petition_class="claim", claim_route=6)
    a.petition_transfer(
        actor=city.city_registrar, petition=petition, unit=world.bureau, assign=True, report_days=30
    )
    petition.refresh_from_db()
    a.petition_transfer(actor=world.registrar, petition=petition, unit=world.town_a)
    a.petition_accept(actor=world.handler_a, petition=petition)
    petition.refresh_from_db()
    return petition


def _at_lianyun(city, world, i, **extra):
    petition = make_petition(
        world, actor=city.lianyun_registrar, petitioners=_person(i), town_id=city.lianyun_town.pk, **extra
    )
    return petition


@pytest.fixture
def spread(city, world):
    """Three matters in 海州区 (one of them 交办 from the city), two in 连云区, one at the city's
    own desk; received three days ago and rolled up."""
    received = timezone.now() - timedelta(days=3)
    issued = advance(make_petition(world, received_at=received), world, to="issued")
    a.petition_evaluate(petition=issued, stage="handling", rating="satisfied")
    make_petition(world, received_at=received, petitioners=_person(1))
    assigned = _assigned_down_and_handled(city, world, received_at=received)
    routed = _at_lianyun(city, world, 2, received_at=received)
    a.petition_classify(actor=city.lianyun_registrar, petition=routed, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=city.lianyun_registrar, petition=routed, unit=city.lianyun_town)
    _at_lianyun(city, world, 3, received_at=received)
    make_petition(world, actor=city.city_registrar, received_at=received, petitioners=_person(4))
    rollup.rebuild()
    return assigned


def _api(user, **params):
    start = (timezone.localdate() - timedelta(days=10)).isoformat()
    query = "&".join(f"{k}={v}" for k, v in {"start": start, **params}.items())
    response = TestClient(router).get(f"/stats/dashboard?{query}", user=user)
    return response


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_district_dashboard_counts_only_its_area(city, world, spread):
    lianyun = _api(city.lianyun_leader).json()
    assert lianyun["totals"]["received"] == 2
    assert [t["name"] for t in lianyun["by_town"]] == [city.lianyun_town.name]
    assert {r["unit"] for r in lianyun["league"]} <= {city.lianyun_bureau.name, city.lianyun_town.name}
    assert lianyun["districts"] == []
    haizhou = _api(world.bureau_leader).json()
    # The matter 交办 from the city and handled by 新海街道 counts in 海州区.
    assert haizhou["totals"]["received"] == 3
    assert haizhou["totals"]["assigned"] == 0  # the city's 交办 is the city's act
    assert {t["name"] for t in haizhou["by_town"]} == {world.town_a.name, world.town_b.name}
    assert haizhou["deadlines"]["on_time"] + haizhou["deadlines"]["due_soon"] >= 2


def test_city_dashboard_adds_up_its_districts_with_a_league_of_districts(city, world, spread):
    figures = _api(city.city_leader).json()
    assert figures["totals"]["received"] == 6
    rows = {r["unit"]: r for r in figures["districts"]}
    assert set(rows) == {world.district.name, city.lianyun.name, "连云港市人民政府本级"}
    assert figures["districts"][-1] is rows["连云港市人民政府本级"] or figures["districts"][-1]["own_level"]
    assert rows[world.district.name]["received"] == 3
    assert rows[world.district.name]["bureau_id"] == world.bureau.pk
    assert rows[city.lianyun.name]["received"] == 2
    own = rows["连云港市人民政府本级"]
    assert own["received"] == 1 and own["own_level"] and own["rank"] is None
    assert sum(r["received"] for r in figures["districts"]) == figures["totals"]["received"]
    # Districts with too few cases are listed without a rank, by the unit league's rule.
    assert all(r["rank"] is None for r in figures["districts"] if r["too_few"])


def test_city_counts_a_matter_handled_in_haizhou_in_haizhou_row(city, world):
    petition = _assigned_down_and_handled(city, world)
    assert petition.handling_unit == world.town_a and petition.registering_unit == city.city_bureau
    today = timezone.localdate()
    live = dashboard.figures(today, today, bureau=city.city_bureau, viewer=city.city_leader)
    rows = {r["unit"]: r for r in live["districts"]}
    assert rows[world.district.name]["received"] == 1
    assert rows[city.lianyun.name]["received"] == 0
    assert rows["连云港市人民政府本级"]["received"] == 0
    # The city's own act (交办) counts at the city's level, the district's 转送 in the district.
    assert rows["连云港市人民政府本级"]["totals"]["assigned"] == 1
    assert rows[world.district.name]["totals"]["transferred"] == 1
    rollup.rebuild()
    stored = dashboard.figures(
        today - timedelta(days=1), today, bureau=city.city_bureau, viewer=city.city_leader
    )
    assert {r["unit"]: r["received"] for r in stored["districts"]} == {
        r["unit"]: r["received"] for r in live["districts"]
    }


def test_drill_down_equals_the_districts_own_dashboard(client, city, world, spread):
    drilled = _api(city.city_leader, bureau=world.bureau.pk).json()
    own = _api(world.bureau_leader).json()
    assert drilled["totals"] == own["totals"]
    assert drilled == own
    html = _login(client, city.city_leader).get(reverse("stats:home")).content.decode()
    assert f"bureau={world.bureau.pk}" in html and "各区县排名" in html and "排名规则" in html
    page = client.get(reverse("stats:home"), {"bureau": world.bureau.pk})
    assert page.status_code == 200 and "海州区信访局 · 辖区信访统计" in page.content.decode()


def test_lower_bureau_never_sees_another_districts_figures(client, city, world, spread):
    for params in ({"bureau": world.bureau.pk}, {"bureau": city.city_bureau.pk}, {"unit": world.town_a.pk}):
        assert _api(city.lianyun_registrar, **params).status_code == 404
    _login(client, city.lianyun_leader)
    assert client.get(reverse("stats:unit", args=[world.town_a.pk])).status_code == 404
    assert client.get(reverse("stats:home"), {"bureau": world.bureau.pk}).status_code == 404
    assert client.get(reverse("stats:hotspots"), {"bureau": world.bureau.pk}).status_code == 404
    assert (
        client.get(reverse("stats:export", args=["league", "csv"]), {"unit": world.town_a.pk}).status_code
        == 404
    )
    assert (
        client.get(reverse("stats:report", args=["annual", "html"]), {"bureau": world.bureau.pk}).status_code
        == 404
    )
    page = client.get(reverse("stats:home")).content.decode()
    assert world.town_a.name not in page and world.district.name not in page
    csv = client.get(reverse("stats:export", args=["by_town", "csv"])).content.decode("utf-8-sig")
    assert world.town_a.name not in csv and city.lianyun_town.name in csv
    # The city's leader drills into every district.
    _login(client, city.city_leader)
    for bureau in (world.bureau, city.lianyun_bureau):
        assert client.get(reverse("stats:home"), {"bureau": bureau.pk}).status_code == 200
    assert client.get(reverse("stats:unit", args=[world.town_a.pk])).status_code == 200


def test_overdue_and_warnings_of_a_district_stay_in_its_area(client, city, world, spread):
    on_town_a = Alert.objects.create(
        kind=AlertKind.COLLECTIVE, title="新海街道集体访苗头", dedupe_key="t-1", unit=world.town_a
    )
    assert on_town_a in visible_alerts(world.registrar)
    assert on_town_a in visible_alerts(city.city_leader)
    assert on_town_a not in visible_alerts(city.lianyun_registrar)
    # A district's staff assign its warnings within its own area only.
    with pytest.raises(ActionError):
        alert_actions.alert_assign(actor=world.registrar, alert=on_town_a, assignee=city.lianyun_handler)
    alert_actions.alert_assign(actor=world.registrar, alert=on_town_a, assignee=world.handler_a)
    detail = _login(client, world.bureau_leader).get(reverse("alerts:detail", args=[on_town_a.pk]))
    assert city.lianyun_handler.display_name not in detail.content.decode()
    page = _login(client, city.lianyun_leader).get(reverse("alerts:overdue")).content.decode()
    assert world.town_a.name not in page


def test_annual_report_of_a_district_covers_only_its_area(client, city, world, spread):
    year = timezone.localdate().year
    lianyun = reports.annual_report(year, bureau=city.lianyun_bureau)
    assert lianyun["totals"]["received"] == 2
    assert lianyun["title"].startswith(city.lianyun_bureau.name)
    city_report = reports.annual_report(year, bureau=city.city_bureau)
    assert city_report["totals"]["received"] == 6
    captions = [t["caption"] for s in city_report["sections"] for t in s["tables"]]
    assert "各区县（下级信访部门辖区）情况" in captions
    response = _login(client, city.lianyun_leader).get(
        reverse("stats:report", args=["annual", "docx"]), {"year": year}
    )
    assert response.status_code == 200
    text = "\n".join(
        [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
        + [c.text for t in Document(io.BytesIO(response.content)).tables for row in t.rows for c in row.cells]
    )
    assert "本期共收到信访事项2件" in text
    assert world.town_a.name not in text and world.district.name not in text


def test_a_surge_across_districts_shows_at_the_city_and_not_in_one_districts_warnings(city, world):
    # All on one past local day, tested as of that day: with times counted back from now, the
    # petitions straddled midnight at some hours and the window's count depended on the clock.
    day = timezone.localdate() - timedelta(days=1)
    now = timezone.make_aware(datetime.combine(day, time(23, 30)))
    text = "朝阳小区物业擅自上调停车费，业主强烈反对，要求退还多收的停车费用。"
    for i in range(4):  # four in each district within one day: below the surge floor in each
        make_petition(
            world,
            petitioners=_person(10 + i),
            category_id=world.subcategory.pk,
            town_id=world.town_a.pk,
            title="物业擅自上调停车费",
            content=text,
            received_at=now - timedelta(hours=2 + i * 5),
        )
        _at_lianyun(
            city,
            world,
            20 + i,
            category_id=world.subcategory.pk,
            title="物业擅自上调停车费",
            content=text,
            received_at=now - timedelta(hours=3 + i * 5),
        )
    assert detectors.detect_surges(day) == 1
    alert = Alert.objects.get(kind=AlertKind.SURGE)
    assert alert.data["series"] == f"category:{world.category.pk}"
    assert alert.data["bureau"] == city.city_bureau.pk and alert.unit == city.city_bureau
    assert {d["name"]: d["count"] for d in alert.data["districts"]} == {
        world.district.name: 4,
        city.lianyun.name: 4,
    }
    assert world.district.name in alert.title and city.lianyun.name in alert.title
    assert alert in visible_alerts(city.city_leader)
    assert alert not in visible_alerts(world.registrar)
    assert alert not in visible_alerts(city.lianyun_registrar)
    assert detectors.detect_surges() == 0
    # The hot spots group across districts at the city and say which they span; a district's
    # show only its own area.
    today = timezone.localdate()
    start = today - timedelta(days=3)
    at_city = hotspots.hot_spots(start, today, bureau=city.city_bureau)
    assert at_city[0]["count"] == 8
    assert set(at_city[0]["districts"]) == {world.district.name, city.lianyun.name}
    at_haizhou = hotspots.hot_spots(start, today, bureau=world.bureau)
    assert at_haizhou[0]["count"] == 4 and at_haizhou[0]["districts"] == []


def test_a_surge_inside_one_district_is_that_districts_warning(city, world):
    now = timezone.now()
    for i in range(8):
        _at_lianyun(
            city,
            world,
            40 + i,
            category_id=world.subcategory.pk,
            received_at=now - timedelta(hours=1 + i * 4),
        )
    detectors.detect_surges()
    surges = Alert.objects.filter(kind=AlertKind.SURGE)
    assert {a.data["bureau"] for a in surges} == {city.lianyun_bureau.pk}
    category = surges.get(data__series=f"category:{world.category.pk}")
    assert category.unit == city.lianyun_bureau
    assert category in visible_alerts(city.lianyun_registrar)
    assert category in visible_alerts(city.city_leader)  # the city sees its districts' warnings
    assert category not in visible_alerts(world.registrar)
