"""Issue 14, one matter across the levels of a city installation, in headless Chromium:
the city window receives a visit about a matter already open in 海州区 (flagged 越级 with the
district's case as evidence), 交办 it to 海州区信访局, the district routes it to 新海街道 which
accepts it and answers, the 办结报告 goes back to the city, 复查 is handled by 海州区人民政府
while 新海街道 still reads the matter, and the city dashboard counts it in 海州区's row."""

from __future__ import annotations

import pytest

from xinfang.browser.tests.steps import act, draft_opinion, messages, petition_pk, petitioner_row, submit

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "朝阳社区门口道路积水（到市里反映）"
MATTER = "新海街道朝阳社区门口道路一下雨就积水，居民出行困难，请求街道修复排水设施。"


def _earlier_district_case(world):
    """张三 raised the matter at 海州区 first: registered there and routed to 新海街道."""
    from xinfang.petitions import actions as a
    from xinfang.testing import make_petition

    earlier = make_petition(
        world, actor=world.registrar, town_id=world.town_a.pk, title="朝阳社区门口道路积水", content=MATTER
    )
    a.petition_classify(actor=world.registrar, petition=earlier, petition_class="claim", claim_route=6)
    a.petition_transfer(actor=world.registrar, petition=earlier, unit=world.town_a)
    return earlier


def _run_worker():
    from xinfang.triage.queue import drain

    drain()


def test_one_matter_across_city_district_and_town(staff_page, live_server, shots):
    from xinfang.accounts.models import Role
    from xinfang.petitions.models import Custody, Petition
    from xinfang.testing import VALID_ID, make_city, make_user, make_world

    world = make_world()
    city = make_city(world)
    make_user("district_handler", Role.HANDLER, world.district, "区政府复查承办人")
    make_user("district_leader", Role.UNIT_LEADER, world.district, "钱副区长")
    earlier = _earlier_district_case(world)
    _run_worker()
    base = live_server.url

    # 1. A visitor at the city window raises a matter of a 海州区 town.
    window = staff_page("city_registrar")
    window.goto(f"{base}/desk/")
    window.select_option("#id_channel", "visit")
    petitioner_row(window, 0, name="张三", id_no=VALID_ID, phone="13812345678", address="新海街道朝阳小区3栋")
    window.fill("#id_title", TITLE)
    window.fill("#id_content", MATTER + "在区里反映后还没有解决，来市信访局反映。")
    window.select_option("#id_town", str(world.town_a.pk))
    shots(window, "city-desk-filled")
    submit(window, "#desk-form button[type=submit]")
    assert "/receipt/" in window.url, window.content()[:3000]
    assert "连云港市信访局" in window.content()
    pk = petition_pk(window.url)
    petition = Petition.objects.get(pk=pk)
    assert petition.case_number.startswith("连信") and petition.bureau == city.city_bureau
    shots(window, "city-receipt")
    _run_worker()  # triage runs in the worker
    window.goto(f"{base}/petitions/{pk}/")
    flags = window.locator(".triage-flags").inner_text()
    assert "越级访" in flags, flags
    assert earlier.case_number in flags, flags  # the district's case as evidence
    shots(window, "flagged-skip-level")

    # 2. The city assigns (交办) it to 海州区信访局; it appears in the district's desk.
    act(window, "classify", select={"petition_class": "claim", "claim_route": "6"})
    act(
        window,
        "transfer",
        select={"unit": world.bureau.pk},
        check=("assign",),
        fill={"report_days": "30", "reason": "请海州区依法处理并报送办结报告"},
    )
    assert "已转送" in messages(window), window.content()[:3000]
    shots(window, "assigned-down")
    petition.refresh_from_db()
    assert petition.bureau == world.bureau and petition.status == "registered"
    district_number = Custody.objects.get(petition=petition, unit=world.bureau).case_number
    assert district_number.startswith("海信")

    district = staff_page("registrar")
    district.goto(f"{base}/inbox/?view=to_route")
    row = district.locator("tbody tr", has_text=TITLE)
    assert "上级交办" in row.inner_text() and district_number in row.inner_text()
    shots(district, "district-desk-queue")

    # 3. The district routes it to 新海街道, which accepts it and issues an opinion.
    district.goto(f"{base}/petitions/{pk}/")
    assert district_number in district.locator("h1").inner_text()
    assert "连云港市信访局" in district.content() and petition.case_number in district.content()
    act(district, "transfer", select={"unit": world.town_a.pk}, fill={"reason": "属地管理"})
    assert "已转送" in messages(district)
    shots(district, "district-routed")

    town = staff_page("handler_a")
    town.goto(f"{base}/petitions/{pk}/")
    act(town, "accept", fill={"reason": "属于本街道职责"})
    assert "已受理" in messages(town)
    draft_opinion(
        town,
        request="修复朝阳社区门口排水设施",
        facts_reasons="下雨积水，居民出行困难",
        findings="经查，朝阳社区门口排水管道堵塞。",
        opinion_text="街道于15日内疏通并改造排水管道。",
        legal_basis="《城镇排水与污水处理条例》第二十九条",
    )
    assert "意见书已提交审批" in messages(town)
    leader = staff_page("leader_a")
    leader.goto(f"{base}/petitions/{pk}/")
    act(leader, "approve_opinion")
    assert "意见书已出具" in messages(leader)
    shots(leader, "town-opinion-issued")

    # 4. The 办结报告 goes back to the city.
    district.goto(f"{base}/petitions/{pk}/")
    act(district, "report", fill={"text": "新海街道已出具处理意见，15日内疏通并改造排水管道。"})
    assert "已报送办结报告" in messages(district)
    window.goto(f"{base}/petitions/{pk}/")
    timeline = window.locator("ol.timeline").inner_text()
    assert "报送办结报告" in timeline and "排水管道" in timeline, timeline
    assert window.locator("#action-report").count() == 0
    shots(window, "city-sees-report")

    # 5. 复查 is requested and handled by 海州区人民政府, while 新海街道 still reads the matter.
    from xinfang.documents.models import IssuedDocument

    opinion = IssuedDocument.objects.get(petition=petition, kind="handling_opinion")
    town.goto(f"{base}/petitions/{pk}/")
    act(
        town,
        "deliver",
        select={"document": opinion.pk},
        radio={"method": "direct"},
        fill={"signed_by": "张三"},
    )
    assert "已登记送达" in messages(town), town.content()[:3000]
    district.goto(f"{base}/petitions/{pk}/")
    act(district, "request_review", fill={"reason": "对退还期限不服，请求复查"})
    assert "已登记复查申请" in messages(district), district.content()[:3000]
    petition.refresh_from_db()
    assert petition.stage == "review" and petition.handling_unit == world.district
    shots(district, "review-requested")

    reviewer = staff_page("district_handler")
    reviewer.goto(f"{base}/petitions/{pk}/")
    draft_opinion(
        reviewer,
        request="请求复查排水设施修复期限",
        facts_reasons="对修复期限不服",
        findings="经复查，原处理意见事实清楚。",
        opinion_text="维持原处理意见。",
        legal_basis="《信访工作条例》第三十五条",
    )
    assert "意见书已提交审批" in messages(reviewer)
    head = staff_page("district_leader")
    head.goto(f"{base}/petitions/{pk}/")
    act(head, "approve_opinion")
    assert "意见书已出具" in messages(head)
    shots(head, "review-opinion-issued")

    town.goto(f"{base}/petitions/{pk}/")
    assert TITLE in town.locator("h1").inner_text()
    town_docs = town.locator("#docs-h + table").inner_text()
    assert "信访处理意见书" in town_docs
    shots(town, "town-still-reads-under-review")
    other_district = staff_page("lianyun_registrar")
    response = other_district.goto(f"{base}/petitions/{pk}/")
    assert response.status == 404

    # 6. The city dashboard counts the matter in 海州区's row (after the worker's roll-up).
    from xinfang.stats import rollup

    rollup.rebuild()
    leader_of_city = staff_page("city_leader")
    leader_of_city.goto(f"{base}/stats/")
    table = leader_of_city.locator("#districts table")
    haizhou = table.locator("tbody tr", has_text="海州区人民政府")
    lianyun = table.locator("tbody tr", has_text="连云区人民政府")
    received = haizhou.locator("td").nth(6).inner_text().strip()
    assert received == "2", haizhou.inner_text()  # this matter and the district's earlier case
    assert lianyun.locator("td").nth(6).inner_text().strip() == "0", lianyun.inner_text()
    shots(leader_of_city, "city-dashboard-districts")
    with leader_of_city.expect_navigation():
        haizhou.locator("a").first.click()
    assert "海州区信访局" in leader_of_city.locator("h1").inner_text()
    shots(leader_of_city, "city-drills-into-haizhou")
