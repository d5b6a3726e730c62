from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from xinfang.petitions import actions as petition_actions
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction
from xinfang.supervision import actions, reminders
from xinfang.supervision.models import Adoption, NoticeStatus, SupervisionEvent, SupervisionNotice
from xinfang.supervision.summary import proposals_summary, supervision_summary
from xinfang.testing import advance, make_petition

pytestmark = pytest.mark.django_db


def _notice(world, petition=None, **kw):
    defaults = {
        "unit": world.town_a,
        "trigger": "delay",
        "facts": "该事项已超过办理期限仍未办结",
        "reply_due": timezone.localdate() + timedelta(days=5),
    }
    return actions.notice_issue(
        actor=kw.pop("actor", world.supervisor), petition=petition, **{**defaults, **kw}
    )


def test_only_supervisors_and_bureau_leaders_issue_notices(world):
    for actor in (world.registrar, world.handler_a, world.leader_a, world.admin, world.hearing_member):
        with pytest.raises(Forbidden):
            _notice(world, actor=actor)
    first = _notice(world)
    second = _notice(world, actor=world.bureau_leader)
    year = timezone.localdate().year
    assert first.number == f"海州区信督〔{year}〕1号" and second.number == f"海州区信督〔{year}〕2号"


def test_supervisor_cannot_transfer_but_can_supervise_the_petition(world):
    petition = make_petition(world)
    petition_actions.petition_classify(
        actor=world.registrar, petition=petition, petition_class="claim", claim_route=6
    )
    with pytest.raises(Forbidden):
        petition_actions.petition_transfer(actor=world.supervisor, petition=petition, unit=world.town_a)
    petition = advance(petition, world, to="handling")
    notice = _notice(world, petition=petition)
    event = petition.events.get(action=EventAction.MECHANISM)
    assert event.data == {
        "mechanism": "supervision",
        "step": "issued",
        "notice_id": notice.pk,
        "number": notice.number,
        "unit": "新海街道",
    }


def test_unit_replies_and_supervisor_accepts_and_closes(world):
    notice = _notice(world)
    for outsider in (world.handler_b, world.community_handler, world.supervisor):
        with pytest.raises(Forbidden):
            actions.notice_reply(actor=outsider, notice=notice, text="已整改")
    with pytest.raises(ActionError):
        actions.notice_reply(actor=world.handler_a, notice=notice, text="  ")
    actions.notice_reply(actor=world.handler_a, notice=notice, text="已约见信访人，正在整改")
    assert notice.status == NoticeStatus.REPLIED and notice.replied_by == world.handler_a
    with pytest.raises(Forbidden):
        actions.notice_accept(actor=world.handler_a, notice=notice)
    actions.notice_accept(actor=world.supervisor, notice=notice)
    actions.notice_close(actor=world.supervisor, notice=notice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED and notice.closed_at
    steps = list(SupervisionEvent.objects.filter(notice=notice).values_list("step", flat=True))
    assert steps == ["issued", "replied", "accepted", "closed"]


def test_rejected_reply_goes_back_and_escalation_flags(world):
    notice = _notice(world)
    actions.notice_reply(actor=world.leader_a, notice=notice, text="已处理")
    new_due = timezone.localdate() + timedelta(days=3)
    actions.notice_reject(actor=world.supervisor, notice=notice, reason="回复过于简单", reply_due=new_due)
    assert notice.status == NoticeStatus.ISSUED and notice.reply_due == new_due
    actions.notice_escalate(actor=world.bureau_leader, notice=notice, reason="多次督办仍未整改")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ESCALATED and notice.flagged and notice.flagged_at
    with pytest.raises(WrongState):
        actions.notice_escalate(actor=world.bureau_leader, notice=notice, reason="再次")
    actions.notice_reply(actor=world.leader_a, notice=notice, text="已落实整改措施")
    actions.notice_reject(actor=world.supervisor, notice=notice, reason="仍未落实", reply_due=new_due)
    assert notice.status == NoticeStatus.ESCALATED  # a flagged notice stays flagged
    with pytest.raises(ActionError):
        actions.notice_close(actor=world.supervisor, notice=notice)  # needs a reason before acceptance


def test_overdue_reply_is_flagged_exactly_once(world):
    late = _notice(world)
    on_time = _notice(world)
    SupervisionNotice.objects.filter(pk=late.pk).update(reply_due=timezone.localdate() - timedelta(days=1))
    assert reminders.run_once() == 1
    assert reminders.run_once() == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.reply_overdue_at is not None and on_time.reply_overdue_at is None
    assert SupervisionEvent.objects.filter(notice=late, step="reply_overdue").count() == 1
    # A late notice already answered is not flagged.
    actions.notice_reply(actor=world.handler_a, notice=on_time, text="已回复")
    SupervisionNotice.objects.filter(pk=on_time.pk).update(reply_due=timezone.localdate() - timedelta(days=1))
    assert reminders.run_once() == 0


@dataclass
class FakeCommitment:
    pk: int
    petition: object
    promised_by_unit: object
    text: str
    due: date


def test_missed_commitment_opens_one_notice(world):
    petition = advance(make_petition(world), world, to="handling")
    commitment = FakeCommitment(7, petition, world.town_a, "一周内清理小区垃圾", date(2024, 3, 1))
    first = actions.supervision_open_for_missed_commitment(commitment)
    again = actions.supervision_open_for_missed_commitment(commitment)
    assert first.pk == again.pk and SupervisionNotice.objects.count() == 1
    assert first.trigger == "missed_commitment" and first.unit == world.town_a and first.issued_by is None
    assert "一周内清理小区垃圾" in first.facts and first.number.startswith("海州区信督")
    assert petition.events.filter(data__mechanism="supervision").count() == 1


def test_accusation_is_never_supervised_at_the_accused_unit(world):
    petition = make_petition(world, respondent_unit_id=world.town_a.pk)
    petition_actions.petition_classify(actor=world.registrar, petition=petition, petition_class="accusation")
    with pytest.raises(ActionError):
        _notice(world, petition=petition, unit=world.town_a)


def test_proposal_feedback_on_adoption(world):
    proposal = actions.proposal_make(
        actor=world.supervisor,
        kind="accountability",
        unit=world.housing,
        title="关于追究有关人员责任的建议",
        text="对拖延办理造成严重后果的有关人员依规追究责任。",
    )
    with pytest.raises(Forbidden):
        actions.proposal_feedback(
            actor=world.handler_a, proposal=proposal, adoption="adopted", feedback="已采纳"
        )
    with pytest.raises(ActionError):
        actions.proposal_feedback(
            actor=world.housing_leader, proposal=proposal, adoption="pending", feedback="x"
        )
    actions.proposal_feedback(
        actor=world.housing_leader, proposal=proposal, adoption="partly", feedback="已对相关人员诫勉谈话"
    )
    assert proposal.adoption == Adoption.PARTLY and proposal.feedback_by == world.housing_leader
    with pytest.raises(WrongState):
        actions.proposal_feedback(
            actor=world.housing_leader, proposal=proposal, adoption="adopted", feedback="再"
        )


def test_annual_summaries(world):
    year = timezone.localdate().year
    notice = _notice(world, flagged=True)
    _notice(world, unit=world.housing, trigger="perfunctory")
    actions.notice_reply(actor=world.handler_a, notice=notice, text="已整改")
    for kind, adoption in [
        ("improve_work", "adopted"),
        ("improve_policy", "not_adopted"),
        ("accountability", None),
    ]:
        proposal = actions.proposal_make(
            actor=world.supervisor, kind=kind, unit=world.town_a, title=kind, text="x"
        )
        if adoption:
            actions.proposal_feedback(
                actor=world.leader_a, proposal=proposal, adoption=adoption, feedback="反馈"
            )
    s = supervision_summary(year)
    assert (s["issued"], s["flagged"], s["replied"], s["replied_on_time"], s["awaiting_reply"]) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert s["by_unit"][0]["count"] == 1 and {r["code"] for r in s["by_trigger"]} == {"delay", "perfunctory"}
    p = proposals_summary(year)
    assert (p["total"], p["adopted"], p["not_adopted"], p["pending"]) == (3, 1, 1, 1)
    assert p["adoption_rate"] == 0.5
    assert {k["code"]: k["total"] for k in p["by_kind"]} == {
        "improve_work": 1,
        "improve_policy": 1,
        "accountability": 1,
    }
    assert supervision_summary(year - 1)["issued"] == 0


def test_notice_history_reads_in_words_not_status_codes(world, client):
    notice = _notice(world)
    actions.notice_reply(actor=world.handler_a, notice=notice, text="已约见信访人，正在整改")
    client.force_login(world.supervisor)
    page = client.get(f"/supervision/{notice.pk}/").content.decode()
    history = page[page.index("签发督办函") :]
    assert "签发督办函（待回复）" in history
    assert "单位回复（待回复 → 已回复待审核）" in history
    assert "issued" not in history and "replied" not in history
