"""落实 (Art. 32, last paragraph): the body that supports a request must see the
supporting opinion carried out.  Approving a 支持 opinion opens the check with a
deadline (settings.IMPLEMENTATION_DAYS) that the alerts worker supervises like
any other; the supervising unit records the result."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xinfang.accounts.models import Role
from xinfang.calendars.rules import DeadlineRule
from xinfang.units import bureaus

from ..choices import Outcome
from ..deadlines import cancel_deadlines, meet_deadlines, open_deadline, refresh_current_due
from ..errors import Forbidden, WrongState
from ..models import EventAction, Implementation, Opinion, Petition
from ._core import record_event, require_reason
from .rules import UNSEEN_MESSAGE, Allow, Who, actor_refused_by, declare, in_sight, when

SUPERVISORS = (Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR)


def implementation_open(*, petition: Petition, opinion: Opinion, at) -> Implementation | None:
    """Called when an opinion is issued: a later opinion replaces the earlier check;
    a supporting one opens its own.  Returns the new check, if any."""
    earlier = list(
        Implementation.objects.filter(petition=petition, done_at__isnull=True, superseded_at__isnull=True)
    )
    if earlier:
        Implementation.objects.filter(pk__in=[i.pk for i in earlier]).update(superseded_at=at)
        cancel_deadlines(petition, DeadlineRule.IMPLEMENT)
    if opinion.outcome != Outcome.SUPPORT:
        return None
    check = Implementation.objects.create(petition=petition, opinion=opinion, unit=opinion.unit, opened_at=at)
    deadline = open_deadline(petition, DeadlineRule.IMPLEMENT, at, days=settings.IMPLEMENTATION_DAYS)
    record_event(
        petition,
        action=EventAction.IMPLEMENT,
        actor_label="系统",
        reason="支持信访请求的意见应当督促执行（《信访工作条例》第三十二条第二款）",
        data={"step": "opened", "implementation_id": check.pk, "due": deadline.due.isoformat()},
    )
    return check


def open_check(petition: Petition) -> Implementation | None:
    return (
        Implementation.objects.filter(petition=petition, done_at__isnull=True, superseded_at__isnull=True)
        .select_related("unit")
        .first()
    )


def supervisor_refusal(actor, petition: Petition) -> Forbidden | None:
    """The unit that gave the opinion (or one above it), or the bureau's staff."""
    check = open_check(petition)
    if actor.is_bureau_staff and actor.role in SUPERVISORS and bureaus.supervises_matter(actor, petition):
        return None  # the bureau holding the matter, or one above it (supervision, Arts. 37–39)
    if check is None or actor.unit is None or not check.unit.is_within(actor.unit):
        return Forbidden("只有作出支持意见的机关、单位或信访部门可以登记落实情况")
    return None


RECORDERS = Who(frozenset({Role.HANDLER, Role.UNIT_LEADER, *SUPERVISORS}), in_sight, UNSEEN_MESSAGE)


@transaction.atomic
@declare(
    "record_implementation",
    Allow(
        RECORDERS,
        None,
        when(lambda p: open_check(p) is not None, lambda p: WrongState("没有待落实的支持意见")),
        actor_refused_by(supervisor_refusal),
    ),
)
def petition_record_implementation(
    *, actor, petition: Petition, result: str, documents: list[str] | None = None
) -> Implementation:
    """落实情况: the supported opinion has been carried out."""
    check = open_check(petition)
    result = require_reason(result, "result")
    now = timezone.now()
    if (
        Implementation.objects.filter(pk=check.pk, done_at__isnull=True).update(
            done_at=now, done_by=actor, result=result
        )
        != 1
    ):
        raise WrongState("落实情况已登记，请刷新后重试")
    check.done_at, check.done_by, check.result = now, actor, result
    meet_deadlines(petition, DeadlineRule.IMPLEMENT, at=now)
    refresh_current_due(petition)
    record_event(
        petition,
        action=EventAction.IMPLEMENT,
        actor=actor,
        reason=result,
        data={"step": "done", "implementation_id": check.pk},
        documents=documents or [],
    )
    return check
