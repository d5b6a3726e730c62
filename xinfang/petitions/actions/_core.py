"""The one way a petition changes state: a conditional update plus an event row."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext_noop

from xinfang.accounts.models import Role

from ..choices import Status
from ..errors import Forbidden, WrongState
from ..models import PUBLIC_ACTIONS, EventAction, Petition, PetitionEvent


def record_event(
    petition: Petition,
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
    documents: Iterable[str] = (),
    at=None,
) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label,
        unit=getattr(actor, "unit", None) if getattr(actor, "is_authenticated", False) else None,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
        documents=list(documents),
        is_public=action in PUBLIC_ACTIONS,
    )


def record_mechanism_event(
    petition: Petition,
    *,
    mechanism: str,
    step: str,
    actor=None,
    actor_label: str = "",
    reason: str = "",
    at=None,
    **data,
) -> PetitionEvent:
    """An event of one of the mechanisms (联合接访, 包案, 听证, 践诺…) on the petition's timeline."""
    return record_event(
        petition,
        action=EventAction.MECHANISM,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        at=at,
        data={"mechanism": mechanism, "step": step, **data},
    )


def transition(
    petition: Petition,
    *,
    allowed_from: Iterable[str],
    to_status: str,
    action: str,
    actor=None,
    actor_label: str = "",
    reason: str = "",
    data: dict | None = None,
    updates: dict | None = None,
    documents: Iterable[str] = (),
) -> PetitionEvent:
    """Move `petition` from one of `allowed_from` to `to_status`.

    The update is conditional on the status read, so two concurrent actions
    cannot both succeed; the loser gets WrongState.
    """
    allowed = set(allowed_from)
    from_status = petition.status
    if from_status not in allowed:
        raise WrongState(f"当前状态为“{Status(from_status).label}”，不能执行此操作")
    fields = {"status": to_status, **(updates or {})}
    changed = Petition.objects.filter(pk=petition.pk, status=from_status).update(**fields)
    if changed != 1:
        raise WrongState("该事项已被他人处理，请刷新后重试")
    for key, value in fields.items():
        setattr(petition, key, value)
    return record_event(
        petition,
        action=action,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        documents=documents,
    )


def require_role(actor, *roles: str) -> None:
    if not getattr(actor, "is_authenticated", False) or actor.role not in roles:
        raise Forbidden()


def require_bureau(actor, *roles: str) -> None:
    """The actor works in a petition bureau and has one of `roles`."""
    require_role(actor, *(roles or (Role.REGISTRAR, Role.BUREAU_LEADER, Role.ADMIN)))
    if not actor.is_bureau_staff:
        raise Forbidden("只有信访部门工作人员可以执行此操作")


OTHER_DESK = gettext_noop("该事项由其他信访部门办理，本级信访部门只能查阅、督办，不能代为办理")
OTHER_AREA = gettext_noop("该事项不属本级信访部门辖区，本级信访部门只能查阅、督办，不能代为办理")


def require_own_matter(actor, petition: Petition) -> None:
    """Bureau staff act (beyond reading and supervising) only on matters held at their own desk: an
    upper bureau supervises a lower bureau's matter but never acts in its place (Arts. 37–39)."""
    from xinfang.units import bureaus

    if actor.is_bureau_staff and not bureaus.owns_matter(actor, petition):
        raise Forbidden(OTHER_DESK)


def require_own_unit(actor, unit) -> None:
    """Bureau staff act on the records of a unit (an alert, a backlog case, a leader's reception) only
    when the unit's nearest bureau is theirs (units/bureaus.owns)."""
    from xinfang.units import bureaus

    if actor.is_bureau_staff and not bureaus.owns(actor, unit):
        raise Forbidden(OTHER_AREA)


def require_text(
    value: str,
    field: str,
    message: str = gettext_noop("此项为必填项"),
    *,
    summary: str = gettext_noop("请填写必填项"),
) -> str:
    """The stripped text, or an ActionError naming the empty field (nothing is written);
    the messages are translated into the user's language (Chinese by default)."""
    from django.utils.translation import gettext

    from ..errors import ActionError

    value = (value or "").strip()
    if not value:
        raise ActionError("invalid", gettext(summary), fields={field: gettext(message)})
    return value


def require_reason(reason: str, field: str = "reason") -> str:
    return require_text(reason, field, summary="请填写理由")
