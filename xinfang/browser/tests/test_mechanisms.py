"""Issue 5, the mechanisms end to end in headless Chromium: an online joint
handling with three units (each states its part and position in the shared
thread, the lead unit drafts the combined answer, the bureau closes it), then a
hearing on a re-review (roster, automatic recusal, panel of 3, held with the
re-review clock paused, each member's opinion from their own account,
concluded with the clock resumed and the due date moved by the hearing days).
Every step goes through the UI; the ORM only sets up data and asserts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xinfang.browser.tests.steps import messages, submit

pytestmark = pytest.mark.django_db(transaction=True)

JOINT_TITLE = "朝阳小区外墙脱落及周边道路积水"
JOINT_CONTENT = (
    "朝阳小区（新海街道与幸福路街道交界）外墙瓷砖脱落砸坏车辆，小区出口道路长期积水，物业与开发商互相推诿。"
)
STATEMENTS = {
    # username: (part, position)
    "handler_a": (
        "牵头核实小区外墙脱落现场情况，协调物业公司设置警戒区。",
        "外墙维修属于房屋共用部位维修，应启动住宅专项维修资金，街道负责组织业主表决。",
    ),
    "housing_handler": (
        "负责认定外墙脱落的责任主体，指导使用住宅专项维修资金。",
        "房屋仍在保修期内的，由开发商承担维修责任；超出保修期的，依法使用维修资金。",
    ),
    "handler_b": (
        "负责小区出口幸福路段积水点的排查和疏通。",
        "积水路段属幸福路街道管养范围，已列入本月排水管网疏通计划，十五日内完成。",
    ),
}
ANSWER = (
    "经新海街道牵头、区住建局和幸福路街道共同核查：一、外墙脱落由开发商在保修期内负责维修，"
    "区住建局督促落实；二、街道已设置警戒区；三、幸福路积水点十五日内完成疏通。"
)
ROSTER = [
    # name, kind value, kind label, username of the login account ("" for none), related people
    ("赵明律师", "lawyer", "律师", "hearing_member", ""),
    ("钱立代表", "npc_deputy", "人大代表", "member_qian", ""),
    ("孙华委员", "cppcc_member", "政协委员", "member_sun", ""),
    ("李强专家", "expert", "专家", "", "张三、王五"),  # related to the petitioner 张三: recused
]
OPINIONS = {
    "hearing_member": ("not_support", "停车费标准已经物价部门备案，诉求缺乏事实根据。"),
    "member_qian": ("not_support", "复查意见认定事实清楚，适用依据正确。"),
    "member_sun": ("explain", "诉求有一定合理性，建议物业公司做好解释说明。"),
}


def _pick_hearing_dates(rule: str) -> tuple:
    """A period start and a 2-day hearing in the recent past such that the
    re-review due date moves by exactly the hearing days (no rest day at the
    end of the period shifts it further)."""
    from xinfang.calendars.service import compute_due

    today = timezone.localdate()
    for back in range(20, 80):
        start = today - timedelta(days=back)
        held, concluded = start + timedelta(days=5), start + timedelta(days=6)
        before = compute_due(rule, start).date
        after = compute_due(rule, start, pauses=[(held, concluded)]).date
        if after - before == timedelta(days=2):
            return start, held, concluded, before
    raise AssertionError("no suitable dates")


def _nav(page, label: str) -> None:
    with page.expect_navigation():
        page.locator("nav.mainnav a", has_text=label).click()


def _post(page, kind: str, text: str) -> None:
    page.select_option("#f-kind", kind)
    page.fill("#f-text", text)
    submit(page, "form[action$='/post/'] button[type=submit]")
    assert "已发布" in messages(page), page.content()[:3000]


def test_online_joint_handling_with_three_units_then_rereview_hearing(staff_page, live_server, shots):
    from xinfang.accounts.models import Role
    from xinfang.hearings import actions as hearing_actions
    from xinfang.hearings.models import Hearing, HearingMember, SeatStatus
    from xinfang.petitions.deadlines import open_deadline_for, recompute, refresh_current_due
    from xinfang.petitions.models import DeadlinePause, EventAction, Petition
    from xinfang.reception.models import JointHandling, JointThreadPost, PostKind
    from xinfang.testing import advance, make_petition, make_user, make_world

    world = make_world()
    base = live_server.url
    units = {"handler_a": world.town_a, "housing_handler": world.housing, "handler_b": world.town_b}

    # --- Part 1: online joint handling -------------------------------------------------------------
    petition = advance(make_petition(world, title=JOINT_TITLE, content=JOINT_CONTENT), world, to="handling")
    assert petition.handling_unit == world.town_a

    # 1. The bureau opens an online joint case: 新海街道 leads, 住建局 and 幸福路街道 cooperate.
    bureau = staff_page("registrar")
    bureau.goto(f"{base}/petitions/{petition.pk}/")
    shots(bureau, "joint-petition-page")
    # The petition page hides the mechanism buttons until an opinion exists (see
    # test_mechanism_buttons_show_on_petition_without_opinion): follow the button's URL.
    bureau.goto(f"{base}/reception/joint/new/?petition={petition.pk}")
    assert "发起联合办理" in bureau.content()
    bureau.select_option("#f-mode", "online")
    assert bureau.input_value("#f-lead") == str(world.town_a.pk)  # the handling unit is proposed
    bureau.fill("#f-lead-task", "牵头核实现场情况，汇总各单位意见")
    bureau.select_option("#f-unit-0", str(world.housing.pk))
    bureau.fill("#f-task-0", "说明外墙维修责任主体及维修资金使用")
    bureau.select_option("#f-unit-1", str(world.town_b.pk))
    bureau.fill("#f-task-1", "说明小区出口道路积水的处理")
    shots(bureau, "joint-new-filled")
    submit(bureau, "form.card button[type=submit]")
    assert "/reception/joint/" in bureau.url and "/new/" not in bureau.url, bureau.content()[:3000]
    shots(bureau, "joint-opened")
    joint = JointHandling.objects.get(petition=petition)
    assert joint.mode == "online" and joint.status == "open" and joint.lead_unit == world.town_a
    assert {(p.unit_id, p.role) for p in joint.participants.all()} == {
        (world.town_a.pk, "lead"),
        (world.housing.pk, "cooperating"),
        (world.town_b.pk, "cooperating"),
    }

    # 2. Each unit logs in, finds the case under 联合办理 and states its part and position.
    pages = {}
    for username, (part, position) in STATEMENTS.items():
        page = pages[username] = staff_page(username)
        _nav(page, "联合办理")
        assert petition.case_number in page.content()
        with page.expect_navigation():
            page.click(f"a:has-text('{petition.case_number}')")
        assert f"代表 {units[username].name}" in page.content()
        _post(page, PostKind.PART, part)
        _post(page, PostKind.POSITION, position)
        shots(page, f"joint-stated-{username}")
        participant = joint.participants.get(unit=units[username])
        assert participant.status == "stated" and (participant.part, participant.position) == (part, position)
    # A cooperating unit cannot draft the combined answer.
    assert pages["housing_handler"].locator("#f-answer").count() == 0

    # 3. The lead unit drafts the combined answer; each unit's share points at its posts.
    lead = pages["handler_a"]
    lead.reload()
    lead.fill("#f-answer", ANSWER)
    submit(lead, "form[action$='/answer/'] button[type=submit]")
    assert "综合答复已拟定" in messages(lead), lead.content()[:3000]
    shots(lead, "joint-answer-drafted")
    joint.refresh_from_db()
    assert joint.status == "answer_drafted" and joint.answer_text == ANSWER
    assert len(joint.answer_parts) == 3
    for share in joint.answer_parts:
        posts = JointThreadPost.objects.filter(joint=joint, unit_id=share["unit_id"])
        assert sorted(share["post_ids"]) == sorted(posts.values_list("pk", flat=True))
        for post_id in share["post_ids"]:
            assert lead.locator(f"a[href='#post-{post_id}']").count() == 1  # traceable on the page
            assert lead.locator(f"#post-{post_id}").count() == 1
    answer_card = lead.locator("section.card", has_text="各单位承担部分").inner_text()
    for username, (part, position) in STATEMENTS.items():
        assert units[username].name in answer_card and part in answer_card and position in answer_card

    # 4. The bureau closes the joint case.
    bureau.reload()
    bureau.select_option("#f-outcome", "handed_to_lead")
    bureau.fill("#f-note", "综合答复已送达信访人，由新海街道牵头落实")
    submit(bureau, "form[action$='/close/'] button[type=submit]")
    assert "联合办理已结束" in messages(bureau)
    shots(bureau, "joint-closed")
    joint.refresh_from_db()
    assert (
        joint.status == "closed" and joint.outcome == "handed_to_lead" and joint.closed_by == world.registrar
    )
    steps = list(
        petition.events.filter(action=EventAction.MECHANISM, data__mechanism="joint_handling").values_list(
            "data__step", flat=True
        )
    )
    assert steps[0] == "opened" and steps[-2:] == ["answer_drafted", "closed"]
    assert steps.count("stated_part") == 3 and steps.count("stated_position") == 3

    # --- Part 2: a hearing on a re-review ----------------------------------------------------------
    rereview = advance(make_petition(world), world, to="rereview")
    assert (
        rereview.stage == "rereview"
        and rereview.status == "handling"
        and rereview.handling_unit == world.city
    )
    deadline = open_deadline_for(rereview, "rereview_answer")
    start, held_on, concluded_on, due_before = _pick_hearing_dates(deadline.rule)
    type(deadline).objects.filter(pk=deadline.pk).update(start=start)
    deadline.refresh_from_db()
    recompute(deadline)
    refresh_current_due(rereview)
    assert deadline.due == due_before
    make_user("member_qian", Role.HEARING_MEMBER, None, "钱立")
    make_user("member_sun", Role.HEARING_MEMBER, None, "孙华")
    # Another hearing the members do not sit on (set up directly).
    others = [
        hearing_actions.member_save(actor=world.registrar, name=name, kind="other")
        for name in ("周平", "吴敏", "郑刚")
    ]
    other_petition = advance(make_petition(world, title="另一件复核事项"), world, to="rereview")
    other_hearing = hearing_actions.hearing_schedule(
        actor=world.bureau_leader,
        petition=other_petition,
        scheduled_at=timezone.now() + timedelta(days=7),
        place="市信访局听证室",
        host=world.bureau_leader,
    )
    hearing_actions.hearing_select_panel(actor=world.bureau_leader, hearing=other_hearing, members=others)

    # 5. The bureau adds the members to the roster (one declares an interest in 张三).
    leader = staff_page("bureau_leader")
    _nav(leader, "听证员库")
    for name, kind, _label, username, related in ROSTER:
        with leader.expect_navigation():
            leader.click("a:has-text('新增听证员')")
        leader.fill("#id_name", name)
        leader.select_option("#id_kind", kind)
        leader.fill("#id_organisation", "海州区" if kind != "lawyer" else "江苏某律师事务所")
        leader.fill("#id_phone", "13900001111")
        if username:
            leader.select_option("#id_user", label=str(_user(username)))
        if related:
            leader.fill("#id_related_people", related)
        submit(leader, "form.card button[type=submit]")
        assert "已保存听证员信息" in messages(leader), leader.content()[:3000]
    shots(leader, "hearing-roster")
    roster = {m.name: m for m in HearingMember.objects.filter(name__in=[r[0] for r in ROSTER])}
    assert len(roster) == 4 and roster["赵明律师"].user.username == "hearing_member"
    assert roster["李强专家"].related_people_list() == ["张三", "王五"]

    # 6. The bureau leader schedules the hearing from the petition page.
    leader.goto(f"{base}/petitions/{rereview.pk}/")
    shots(leader, "rereview-petition-page")
    with leader.expect_navigation():
        leader.click("#hearings a:has-text('安排听证')")
    leader.fill("#id_scheduled_at", f"{held_on:%Y-%m-%d}T09:30")
    leader.fill("#id_place", "区信访局听证室")
    leader.select_option("#id_host", str(world.bureau_leader.pk))
    shots(leader, "hearing-schedule-form")
    submit(leader, "form.card button[type=submit]")
    assert "已安排听证" in messages(leader), leader.content()[:3000]
    hearing = Hearing.objects.get(petition=rereview)
    assert hearing.status == "scheduled" and hearing.stage == "rereview"

    # 7. Panel: four asked for, the one with a conflict is recused, three seated.
    for name, *_ in ROSTER:
        leader.locator("form[action$='/panel/'] label", has_text=name).locator("input").check()
    submit(leader, "form[action$='/panel/'] button[type=submit]")
    assert "已更新听证员名单" in messages(leader)
    assert "李强专家因利害关系自动回避" in messages(leader, "warning")
    recused_row = leader.locator("table.list tr", has_text="李强专家").inner_text()
    assert "回避" in recused_row and "利害关系审查自动回避" in recused_row and "张三" in recused_row
    shots(leader, "hearing-panel-recusal")
    seats = {s.member.name: s for s in hearing.seats.select_related("member")}
    assert {n for n, s in seats.items() if s.status == SeatStatus.SELECTED} == {
        "赵明律师",
        "钱立代表",
        "孙华委员",
    }
    assert seats["李强专家"].status == SeatStatus.RECUSED and seats["李强专家"].recusal_automatic

    # 8. Notices are served, then the hearing is held: the re-review clock stops.
    leader.select_option("#id_method", "delivered")
    submit(leader, "form[action$='/notify/'] button[type=submit]")
    assert "听证通知已登记" in messages(leader)
    assert hearing.notices.filter(party="member").count() == 3
    leader.fill("#id_held_on", f"{held_on:%Y-%m-%d}")
    submit(leader, "form[action$='/hold/'] button[type=submit]")
    assert "已记录听证举行情况" in messages(leader), leader.content()[:3000]
    assert "因听证中止计时" in leader.content()
    shots(leader, "hearing-held")
    hearing.refresh_from_db()
    rereview.refresh_from_db()
    assert hearing.status == "held" and hearing.held_on == held_on and hearing.pause_id is not None
    pause = DeadlinePause.objects.get(pk=hearing.pause_id)
    assert pause.deadline_id == deadline.pk and pause.start == held_on and pause.end is None
    assert rereview.current_due is None  # paused: no traffic light, no overdue list
    leader.goto(f"{base}/petitions/{rereview.pk}/")
    assert "复核期限中止计时" in leader.locator("#hearings").inner_text()
    assert "已中止计时" in leader.content()
    shots(leader, "rereview-clock-paused")
    leader.goto(f"{base}/hearings/{hearing.pk}/")
    leader.fill("#id_minutes", "主持人宣布听证纪律；信访人陈述诉求；承办单位说明核查情况；听证员提问。")
    submit(leader, "form[action$='/minutes/'] button[type=submit]")
    assert "已保存听证笔录" in messages(leader)

    # 9. Each seated member logs in, sees only their hearing and gives an opinion.
    first_reasoning = OPINIONS["hearing_member"][1]
    for username, (opinion, reasoning) in OPINIONS.items():
        member = staff_page(username)
        _nav(member, "我的听证")
        rows = member.locator("table.list tbody tr")
        assert rows.count() == 1 and rereview.title in rows.first.inner_text()
        assert "另一件复核事项" not in member.content()
        with member.expect_navigation():
            rows.first.locator("a").click()
        if username != "hearing_member":
            # Others' opinions stay hidden until the conclusion.
            assert first_reasoning not in member.content()
        member.locator(f"input[name=opinion][value={opinion}]").check()
        member.fill("#id_reasoning", reasoning)
        submit(member, "form[action$='/opinion/'] button[type=submit]")
        assert "已记录听证员意见" in messages(member), member.content()[:3000]
        shots(member, f"hearing-opinion-{username}")
        response = member.goto(f"{base}/hearings/{other_hearing.pk}/")
        assert response.status == 404
        seat = hearing.seats.get(member__user__username=username)
        assert (seat.opinion, seat.reasoning, seat.opinion_recorded_by.username) == (
            opinion,
            reasoning,
            username,
        )

    # 10. The bureau leader concludes: majority 不予支持, the dissent kept, the clock resumes.
    leader.reload()
    leader.fill("#id_concluded_on", f"{concluded_on:%Y-%m-%d}")
    leader.fill("#id_conclusion_text", "听证员多数意见认为原复查意见认定事实清楚，建议维持。")
    submit(leader, "form[action$='/conclude/'] button[type=submit]")
    assert "已形成听证结论" in messages(leader), leader.content()[:3000]
    assert "听证结论：不予支持" in leader.content() and "孙华委员" in leader.content()
    shots(leader, "hearing-concluded")
    hearing.refresh_from_db()
    pause.refresh_from_db()
    deadline.refresh_from_db()
    rereview = Petition.objects.get(pk=rereview.pk)
    assert hearing.status == "concluded" and hearing.conclusion == "not_support"
    assert hearing.votes == {"not_support": 2, "explain": 1} and "孙华委员" in hearing.dissent
    assert pause.end == concluded_on
    hearing_days = (concluded_on - held_on).days + 1
    assert deadline.due - due_before == timedelta(days=hearing_days)
    assert rereview.current_due == deadline.due

    # 11. The hearing is on the petition's page and timeline.
    leader.goto(f"{base}/petitions/{rereview.pk}/")
    panel = leader.locator("#hearings").inner_text()
    assert "已形成结论" in panel and "结论：不予支持" in panel
    timeline = leader.locator("ol.timeline").inner_text()
    assert "中止计时" in timeline and "恢复计时" in timeline and "举行听证" in timeline
    assert leader.locator("ol.timeline li.event-mechanism").count() >= 6
    assert f"{deadline.due:%Y-%m-%d}" in leader.locator("header.petition-head").inner_text()
    shots(leader, "rereview-timeline")
    hearing_steps = list(
        rereview.events.filter(action=EventAction.MECHANISM, data__mechanism="hearing").values_list(
            "data__step", flat=True
        )
    )
    assert hearing_steps == [
        "scheduled",
        "panel_selected",
        "notified",
        "held",
        "minutes",
        "member_opinion",
        "member_opinion",
        "member_opinion",
        "concluded",
    ]
    actions_seen = set(rereview.events.values_list("action", flat=True))
    assert {EventAction.PAUSE, EventAction.RESUME} <= actions_seen


def _user(username: str):
    from xinfang.accounts.models import User

    return User.objects.get(username=username)


def test_mechanism_buttons_show_on_petition_without_opinion(staff_page, live_server):
    from xinfang.testing import advance, make_petition, make_world

    world = make_world()
    petition = advance(make_petition(world), world, to="handling")
    page = staff_page("registrar")
    page.goto(f"{live_server.url}/petitions/{petition.pk}/")
    assert page.locator(f"a[href='/reception/joint/new/?petition={petition.pk}']").count() == 1
