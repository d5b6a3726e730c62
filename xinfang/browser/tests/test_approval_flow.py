"""Issue 16, the approval step in headless Chromium: a returned draft opinion is
kept with the leader's reason shown, redrafted and approved with the leader's
edit and 审批意见 in the timeline; a handler's extension requests refused
(the due date stays), approved (the due date moves by Art. 34) and lapsed
(its period ended before the decision: shown as 已失效, nothing to decide)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from xinfang.browser.tests.steps import (
    act,
    current_due,
    draft_opinion,
    extension_requests,
    messages,
    open_opinion_form,
    timeline,
)

pytestmark = pytest.mark.django_db(transaction=True)

FINDINGS = "经查，物业公司未经业主大会同意即将停车费由每月100元提高到200元。\n物价部门无备案记录。"
FIRST_OPINION = "责令物业公司恢复原收费标准。"
FIRST_BASIS = "《物业管理条例》第四十条"
RETURN_REASON = "处理意见未写明退费期限；法律依据请补充《江苏省物业管理条例》相关条款"
SECOND_OPINION = "责令物业公司恢复原收费标准，并退还多收的停车费。"
SECOND_BASIS = "《物业管理条例》第四十条；《江苏省物业管理条例》第五十九条"
LEADER_OPINION = "责令物业公司恢复原收费标准，并于30日内退还多收的停车费。"
REMARKS = "同意出具。退费期限由审批人补充为30日。"


def _handling(world, title: str):
    """A matter accepted by 新海街道 (申诉求决类, route 6: the 60-day period runs)."""
    from xinfang.testing import advance, make_petition

    return advance(make_petition(world, title=title), world, to="handling")


def _labels(shots) -> list[str]:
    return sorted(p.name for p in shots.folder.iterdir())


def test_a_returned_draft_is_kept_then_edited_and_approved_by_the_leader(staff_page, live_server, shots):
    from xinfang.petitions.actions.approval import pending_opinion
    from xinfang.petitions.models import EventAction, Petition
    from xinfang.testing import make_world

    world = make_world()
    petition = _handling(world, "朝阳小区物业擅自上调停车费")
    base = live_server.url
    url = f"{base}/petitions/{petition.pk}/"

    # 1. The handler drafts the opinion and submits it for approval.
    handler = staff_page("handler_a")
    handler.goto(url)
    open_opinion_form(handler)
    assert handler.locator("#returned-opinion").count() == 0  # a first draft: nothing returned
    shots(handler, "handler-opinion-form")
    draft_opinion(
        handler,
        keep_open=True,
        request="要求物业恢复原停车收费标准并退还多收费用",
        facts_reasons="物业未经业主大会同意上调停车费",
        findings=FINDINGS,
        opinion_text=FIRST_OPINION,
        legal_basis=FIRST_BASIS,
    )
    assert "意见书已提交审批" in messages(handler)
    shots(handler, "draft-submitted")
    petition.refresh_from_db()
    assert petition.status == "opinion_drafted"
    assert pending_opinion(petition).legal_basis == FIRST_BASIS

    # 2. The unit leader returns it with a reason (审批意见).
    leader = staff_page("leader_a")
    leader.goto(url)
    act(leader, "return_opinion", fill={"reason": RETURN_REASON})
    assert "已退回意见书" in messages(leader)
    assert RETURN_REASON in timeline(leader)
    shots(leader, "leader-returned-draft")
    petition.refresh_from_db()
    assert petition.status == "handling" and pending_opinion(petition) is None

    # 3. The handler finds the draft kept and the leader's reason above it.
    handler.goto(url)
    open_opinion_form(handler)
    returned = handler.locator("#returned-opinion").inner_text()
    assert "意见书已被退回" in returned and RETURN_REASON in returned and "新海街道负责人" in returned
    assert handler.input_value("#id_draft_opinion_opinion_text") == FIRST_OPINION
    assert handler.input_value("#id_draft_opinion_legal_basis") == FIRST_BASIS
    assert handler.input_value("#id_draft_opinion_findings").replace("\r\n", "\n") == FINDINGS
    assert handler.locator("input[name=outcome][value=support]").is_checked()
    shots(handler, "returned-draft-kept-with-reason")

    # 4. Edits the two fields the leader named and resubmits; the rest stays as drafted.
    draft_opinion(handler, None, keep_open=True, opinion_text=SECOND_OPINION, legal_basis=SECOND_BASIS)
    assert "意见书已提交审批" in messages(handler)
    shots(handler, "redraft-submitted")
    opinion = pending_opinion(Petition.objects.get(pk=petition.pk))
    assert (opinion.opinion_text, opinion.legal_basis) == (SECOND_OPINION, SECOND_BASIS)
    assert opinion.findings.replace("\r\n", "\n") == FINDINGS and opinion.outcome == "support"

    # 5. The leader edits the draft in the approval box, adds 审批意见 and issues it.
    leader.goto(url)
    leader.locator("#action-approve_opinion summary").click()
    assert leader.input_value("#id_approve_opinion_opinion_text") == SECOND_OPINION  # the draft, editable
    assert leader.input_value("#id_approve_opinion_legal_basis") == SECOND_BASIS
    leader.locator("#action-approve_opinion summary").click()  # act() opens the box again
    act(leader, "approve_opinion", fill={"remarks": REMARKS, "opinion_text": LEADER_OPINION})
    assert "意见书已出具" in messages(leader)
    assert "信访处理意见书" in leader.locator("#docs-h + table").inner_text()
    shots(leader, "leader-approved-with-edit")

    petition.refresh_from_db()
    assert petition.status == "opinion_issued"
    issued = petition.opinions.get()
    assert issued.approved_by == world.leader_a and issued.drafted_by == world.handler_a
    assert (issued.opinion_text, issued.legal_basis) == (LEADER_OPINION, SECOND_BASIS)
    event = petition.events.get(action=EventAction.ISSUE_OPINION)
    assert event.actor == world.leader_a and event.data["remarks"] == REMARKS
    # Only the field the leader changed is recorded as an edit (the multi-line
    # findings, posted back unchanged by the browser, are not).
    assert event.data["edits"] == [
        {"field": "opinion_text", "label": "处理意见", "before": SECOND_OPINION, "after": LEADER_OPINION}
    ]

    # 6. The timeline shows the return with its reason, the 审批意见 and the leader's edit.
    text = timeline(leader)
    assert "退回意见" in text and RETURN_REASON in text and "出具意见" in text
    assert f"审批意见：{REMARKS}" in text.replace("\n", "")
    assert "新海街道负责人审批时修改了：处理意见" in text
    edits = leader.locator("details.approval-edits")
    edits.locator("summary").click()
    shown = edits.inner_text()
    assert "原稿：" in shown and SECOND_OPINION in shown and "修改为：" in shown and LEADER_OPINION in shown
    leader.locator("#timeline-h").scroll_into_view_if_needed()
    shots(leader, "timeline-edit-and-remarks")
    # The handler reads the same record.
    handler.goto(url)
    assert f"审批意见：{REMARKS}" in timeline(handler).replace("\n", "")
    assert "新海街道负责人审批时修改了：处理意见" in timeline(handler)

    assert _labels(shots) == [
        "01-handler-opinion-form.png",
        "02-draft-submitted.png",
        "03-leader-returned-draft.png",
        "04-returned-draft-kept-with-reason.png",
        "05-redraft-submitted.png",
        "06-leader-approved-with-edit.png",
        "07-timeline-edit-and-remarks.png",
    ]
    assert all((shots.folder / name).stat().st_size > 1000 for name in _labels(shots))


REFUSED_REASON = "需要委托第三方测绘，情况复杂"
REFUSAL = "现有材料足以作出处理意见，请在期限内办结"
APPROVED_REASON = "物业公司申请听取业主代表意见，需组织业主座谈并委托第三方测绘"
APPROVAL = "同意延期30日，请抓紧办理"


def test_extension_requests_refused_approved_and_lapsed(staff_page, live_server, shots):
    from django.utils import timezone

    from xinfang.calendars.rules import DeadlineRule
    from xinfang.calendars.service import compute_due
    from xinfang.petitions.deadlines import open_deadline_for
    from xinfang.petitions.models import EventAction, ExtensionRequestStatus
    from xinfang.testing import make_world

    world = make_world()
    petition = _handling(world, "朝阳小区停车位划线纠纷")
    period = open_deadline_for(petition, DeadlineRule.CONCLUDE)
    due = period.due
    base = live_server.url
    url = f"{base}/petitions/{petition.pk}/"

    # 1. The handler asks for 30 more days, with the reason.
    handler = staff_page("handler_a")
    handler.goto(url)
    assert current_due(handler) == due
    act(handler, "request_extension", fill={"days": "30", "reason": REFUSED_REASON})
    assert "已提交延期申请，等待单位负责人审批" in messages(handler)
    [row] = extension_requests(handler)
    assert (row["状态"], row["延长天数"], row["延期理由"], row["申请人"]) == (
        "待审批",
        "30日",
        REFUSED_REASON,
        "新海承办人",
    )
    assert current_due(handler) == due  # a request moves nothing
    shots(handler, "extension-requested")

    # 2. The unit leader finds it in the inbox view of requests waiting and opens it.
    leader = staff_page("leader_a")
    leader.goto(f"{base}/")
    tile = leader.locator(".tiles li", has=leader.locator("a[href$='view=extension_approval']"))
    assert tile.locator(".tile-count").inner_text() == "1" and "延期待审批" in tile.inner_text()
    with leader.expect_navigation():
        tile.locator("a").click()
    assert "view=extension_approval" in leader.url
    listed = leader.locator("main").inner_text()
    assert petition.case_number in listed and "朝阳小区停车位划线纠纷" in listed
    shots(leader, "leader-inbox-extension-requests")
    with leader.expect_navigation():
        leader.click(f"a[href$='/petitions/{petition.pk}/']")

    # 3. Refuses it with 审批意见: the due date stays.
    box = leader.locator("#action-decide_extension")
    box.locator("summary").click()
    assert f"新海承办人申请延长30日。理由：{REFUSED_REASON}" in box.inner_text()
    box.locator("summary").click()
    act(leader, "decide_extension", radio={"approve": "0"}, fill={"remarks": REFUSAL})
    assert "已审批延期申请" in messages(leader)
    assert current_due(leader) == due
    [row] = extension_requests(leader)
    assert (row["状态"].split()[0], row["审批意见"]) == ("不同意", REFUSAL)
    text = timeline(leader)
    assert "申请延长30日 · 不同意延期" in text and REFUSAL in text
    assert leader.locator(".petition-head .tag", has_text="已延期").count() == 0
    shots(leader, "leader-refused-due-unchanged")
    petition.refresh_from_db()
    assert not petition.is_extended and petition.current_due == due
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due == due

    # 4. The handler asks again with a fuller reason.
    handler.goto(url)
    act(handler, "request_extension", fill={"days": "30", "reason": APPROVED_REASON})
    assert "已提交延期申请" in messages(handler)
    assert [r["状态"].split()[0] for r in extension_requests(handler)] == ["不同意", "待审批"]
    shots(handler, "extension-requested-again")

    # 5. The leader approves: the period is extended by 30 日 from the end of the
    # original 60 (Art. 34), a rest day rolling forward to the next working day.
    leader.goto(url)
    act(leader, "decide_extension", radio={"approve": "1"}, fill={"remarks": APPROVAL})
    assert "已审批延期申请" in messages(leader)
    new_due = compute_due(DeadlineRule.CONCLUDE, period.start, days=90).date
    unrolled = period.start + timedelta(days=90)
    assert unrolled <= new_due <= unrolled + timedelta(days=9) and new_due > due
    assert current_due(leader) == new_due
    assert leader.locator(".petition-head .tag", has_text="已延期").count() == 1
    conclude_row = leader.locator("#deadlines-h ~ table tbody tr", has_text="60日").inner_text()
    assert "+ 30日（延期）" in conclude_row and new_due.isoformat() in conclude_row
    assert [r["状态"].split()[0] for r in extension_requests(leader)] == ["不同意", "已同意"]
    text = timeline(leader)
    assert "申请延长30日 · 同意延期" in text and APPROVAL in text
    assert APPROVED_REASON in text  # the 延期 event, told to the petitioner
    shots(leader, "leader-approved-due-moved")
    petition.refresh_from_db()
    assert petition.is_extended and petition.current_due == new_due
    assert open_deadline_for(petition, DeadlineRule.CONCLUDE).due == new_due
    extend = petition.events.get(action=EventAction.EXTEND)
    assert extend.is_public and extend.reason == APPROVED_REASON
    assert (extend.data["old_due"], extend.data["new_due"]) == (due.isoformat(), new_due.isoformat())
    statuses = [r.status for r in petition.extension_requests.order_by("pk")]
    assert statuses == [ExtensionRequestStatus.REFUSED, ExtensionRequestStatus.APPROVED]
    # The handler sees the new due date and the extension notice.
    handler.goto(url)
    assert current_due(handler) == new_due
    assert "延期" in handler.locator("#docs-h + table").inner_text()

    # 6. Another matter: a request left undecided until its period ended lapses.
    other = _handling(world, "幸福小区电梯停运")
    other_url = f"{base}/petitions/{other.pk}/"
    handler.goto(other_url)
    act(handler, "request_extension", fill={"days": "20", "reason": "等待电梯检测报告"})
    assert [r["状态"] for r in extension_requests(handler)] == ["待审批"]
    # The 60 days pass without a decision (set on the period: the browser cannot wait 60 days).
    ended = open_deadline_for(other, DeadlineRule.CONCLUDE)
    ended.due = timezone.localdate() - timedelta(days=1)
    ended.save(update_fields=["due"])
    leader.goto(other_url)
    assert [r["状态"] for r in extension_requests(leader)] == ["已失效"]
    assert leader.locator("#action-decide_extension").count() == 0
    shots(leader, "lapsed-request")
    leader.goto(f"{base}/inbox/?view=extension_approval")
    listed = leader.locator("main").inner_text()
    assert other.case_number not in listed and petition.case_number not in listed
    assert other.extension_requests.get().status == ExtensionRequestStatus.PENDING  # as stored

    assert _labels(shots) == [
        "01-extension-requested.png",
        "02-leader-inbox-extension-requests.png",
        "03-leader-refused-due-unchanged.png",
        "04-extension-requested-again.png",
        "05-leader-approved-due-moved.png",
        "06-lapsed-request.png",
    ]
    assert all((shots.folder / name).stat().st_size > 1000 for name in _labels(shots))
