"""What a petitioner may see of a case: plain-language status, the public
timeline, the deadlines that apply, the permitted next steps.

Only events with is_public=True are read, and of each only whitelisted
facts: dates, unit names, decisions, and the reasons the law says the
petitioner must be told (extension, non-acceptance, diversion, the result).
Never staff names, internal notes or other petitioners' data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from xinfang.calendars.rules import DeadlineRule, rule_spec
from xinfang.petitions.choices import ClaimRoute, EvaluationStage, Outcome, RejectionReason, Stage, Status
from xinfang.petitions.deadlines import open_deadline_for
from xinfang.petitions.models import Deadline, Evaluation, EventAction, Petition, PetitionEvent

STATUS_TEXT = {
    Status.REGISTERED: "您的信访事项已登记，信访部门将在15日内转送有权处理的机关、单位。",
    Status.OBJECTED: "信访部门正在核实承办单位，将尽快重新确定有权处理的机关、单位。",
    Status.ROUTED: "已转送有权处理的机关、单位，该单位将自收到之日起15日内书面告知您是否受理。",
    Status.HANDLING: "已受理，正在办理中。",
    Status.OPINION_DRAFTED: "正在办理中，处理意见即将作出。",
    Status.OPINION_ISSUED: "已出具处理意见。如不服，可在规定期限内请求复查（复核）。",
    Status.CLOSED: "已办结。",
    Status.DIVERTED: "属于应当通过法定途径解决的事项，已告知您依法提出的途径。",
    Status.REJECTED: "不予受理（理由见下方进展记录和告知书）。",
    Status.REFUSED_FINAL: "不再受理（理由见下方进展记录和告知书）。",
    Status.MERGED: "已与您反映的同一事项合并办理。",
    Status.WITHDRAWN: "您已撤回该信访事项。",
}
STAGE_WORD = {Stage.INITIAL: "", Stage.REVIEW: "复查", Stage.REREVIEW: "复核"}
OPINION_NAME = {Stage.INITIAL: "信访处理意见书", Stage.REVIEW: "复查意见书", Stage.REREVIEW: "复核意见书"}
# Deadlines the petitioner is told of; objection and report periods are internal.
PUBLIC_RULES = {
    DeadlineRule.ROUTE: "信访部门转送",
    DeadlineRule.NOTIFY: "书面告知是否受理",
    DeadlineRule.CONCLUDE: "办结",
    DeadlineRule.SIMPLE: "简易办理办结",
    DeadlineRule.REVIEW_REQUEST: "您可请求复查的最后一日",
    DeadlineRule.REVIEW_ANSWER: "复查答复",
    DeadlineRule.REREVIEW_REQUEST: "您可请求复核的最后一日",
    DeadlineRule.REREVIEW_ANSWER: "复核答复",
}


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    title: str
    detail: str = ""


@dataclass(frozen=True)
class PublicDeadline:
    label: str
    due: date
    provisional: bool
    basis: str


def chinese_date(value) -> str:
    """2027-03-08 (a date or its ISO text) → 2027年3月8日, the portal's one date format."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def status_text(petition: Petition) -> str:
    text = STATUS_TEXT.get(petition.status, "")
    word = STAGE_WORD.get(petition.stage, "")
    if word and petition.status in {Status.HANDLING, Status.OPINION_DRAFTED}:
        text = f"{word}请求已受理，正在办理中。"
    if petition.is_final:
        text = (
            "已出具复核意见，信访程序终结。对复核意见不服，仍以同一事实和理由提出的，不再受理（第三十六条）。"
        )
    return text


def _entry(event: PetitionEvent) -> TimelineEntry | None:
    data = event.data or {}
    unit = str(data.get("unit") or (event.unit.name if event.unit_id else ""))
    a = event.action
    if a == EventAction.REGISTER:
        return TimelineEntry(event.at, "登记", "信访事项已登记")
    if a in {EventAction.TRANSFER, EventAction.ASSIGN}:
        verb = "交办" if a == EventAction.ASSIGN else "转送"
        return TimelineEntry(event.at, verb, f"{verb}至{unit}" if unit else verb)
    if a == EventAction.NOTIFY:
        return TimelineEntry(event.at, "书面告知", f"{unit}已书面告知受理情况" if unit else "已书面告知")
    if a == EventAction.ACCEPT:
        simple = "（简易办理）" if data.get("simple") else ""
        return TimelineEntry(event.at, "受理", f"{unit}已受理{simple}" if unit else f"已受理{simple}")
    # Grounds, not the staff's free text: the full reasons are in the written notice.
    if a == EventAction.REJECT:
        code = data.get("reason_code")
        ground = RejectionReason(code).label if code in RejectionReason.values else ""
        return TimelineEntry(
            event.at, "不予受理", f"理由：{ground}。详见不予受理告知书" if ground else "详见不予受理告知书"
        )
    if a == EventAction.REFUSE_FINAL:
        return TimelineEntry(
            event.at, "不再受理", "同一事实和理由已经复核终结（《信访工作条例》第三十六条第三款）"
        )
    if a == EventAction.DIVERT:
        route = data.get("claim_route")
        label = ClaimRoute(route).label if route in ClaimRoute.values else ""
        return TimelineEntry(event.at, "导入法定途径", f"请通过以下途径依法提出：{label}" if label else "")
    if a == EventAction.EXTEND:
        detail = f"办理期限延长{data.get('days', '')}日"
        if data.get("new_due"):
            detail += f"，至{chinese_date(data['new_due'])}"
        return TimelineEntry(event.at, "延期", f"{detail}。理由：{event.reason}")
    if a == EventAction.ISSUE_OPINION:
        stage = data.get("stage", Stage.INITIAL)
        outcome = data.get("outcome")
        outcome_text = f"：{Outcome(outcome).label}" if outcome in Outcome.values else ""
        return TimelineEntry(
            event.at, "出具意见", f"{unit}出具{OPINION_NAME.get(stage, '处理意见')}{outcome_text}"
        )
    if a == EventAction.CONCLUDE:
        return TimelineEntry(event.at, "办结", event.reason)
    if a in {EventAction.REQUEST_REVIEW, EventAction.REQUEST_REREVIEW}:
        word = "复查" if a == EventAction.REQUEST_REVIEW else "复核"
        return TimelineEntry(event.at, f"请求{word}", f"由{unit}办理" if unit else "")
    if a == EventAction.EVALUATE:
        stage = data.get("stage")
        word = EvaluationStage(stage).label if stage in EvaluationStage.values else ""
        return TimelineEntry(event.at, "评价", f"您已评价{word}情况")
    if a == EventAction.DELIVER:
        if data.get("step") != "delivered":
            return TimelineEntry(event.at, "文书已发送", "请查收")
        return TimelineEntry(event.at, "送达", f"文书（{data.get('number', '')}）已送达")
    if a in {EventAction.CLOSE, EventAction.WITHDRAW}:
        return TimelineEntry(event.at, EventAction(a).label, "")
    # A public action this page does not know: date and name only.
    return TimelineEntry(event.at, event.get_action_display(), "")


def public_timeline(petition: Petition) -> list[TimelineEntry]:
    events = (
        PetitionEvent.objects.filter(petition=petition, is_public=True)
        .select_related("unit")
        .order_by("at", "pk")
    )
    return [entry for entry in map(_entry, events) if entry is not None]


def public_deadlines(petition: Petition) -> list[PublicDeadline]:
    rows = Deadline.objects.open().filter(petition=petition, rule__in=list(PUBLIC_RULES)).order_by("due")
    return [
        PublicDeadline(PUBLIC_RULES[row.rule], row.due, row.provisional, rule_spec(row.rule).article)
        for row in rows
    ]


def evaluable_stages(petition: Petition) -> list[str]:
    """Stages the petitioner may still rate (the action checks again)."""
    done = set(
        Evaluation.objects.filter(petition=petition, unit=petition.handling_unit).values_list(
            "stage", flat=True
        )
    )
    stages = []
    decided = petition.accepted_at is not None or petition.status in {
        Status.REJECTED,
        Status.REFUSED_FINAL,
        Status.DIVERTED,
    }
    if decided and EvaluationStage.ACCEPTANCE not in done:
        stages.append(EvaluationStage.ACCEPTANCE)
    concluded = petition.opinion_delivered_at is not None or petition.status == Status.CLOSED
    if concluded and EvaluationStage.HANDLING not in done:
        stages.append(EvaluationStage.HANDLING)
    return stages


@dataclass(frozen=True)
class ReviewWindow:
    step: str  # "review" or "rereview"
    word: str
    due: date | None
    open: bool
    basis: str
    # False until the opinion's delivery is recorded: the 30 days count from receipt.
    started: bool = True


def review_window(petition: Petition) -> ReviewWindow | None:
    """The review (复查) or re-review (复核) the petitioner may ask for now, if any."""
    if petition.status != Status.OPINION_ISSUED or petition.is_final:
        return None
    if petition.stage == Stage.INITIAL:
        step, word, rule = "review", "复查", DeadlineRule.REVIEW_REQUEST
    elif petition.stage == Stage.REVIEW:
        step, word, rule = "rereview", "复核", DeadlineRule.REREVIEW_REQUEST
    else:
        return None
    deadline = open_deadline_for(petition, rule)
    due = deadline.due if deadline else None
    started = deadline is not None or petition.deadlines.filter(rule=rule).exists()
    return ReviewWindow(
        step, word, due, due is not None and due >= timezone.localdate(), rule_spec(rule).article, started
    )


def current_opinion_document(petition: Petition):
    """The public opinion document the review window of the current stage counts from."""
    from xinfang.documents.delivery import WINDOWS

    kinds = [kind for kind, (stage, _rule) in WINDOWS.items() if stage == petition.stage]
    return next((d for d in reversed(public_documents(petition)) if d.kind in kinds), None)


def public_documents(petition: Petition) -> list:
    """Public issued notices, when the documents app is installed."""
    from django.apps import apps

    if not apps.is_installed("xinfang.documents"):
        return []
    try:
        from xinfang.documents.models import IssuedDocument
    except ImportError:
        return []
    return list(IssuedDocument.objects.public().filter(petition=petition).order_by("issued_at"))
