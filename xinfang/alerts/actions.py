"""Writes on alerts: acknowledge, assign, notify, report up (Art. 25).

Each write on an alert linked to petitions records a timeline event on them
(action MECHANISM) so the petition's history shows the early-warning work.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role, User
from xinfang.petitions.actions._core import record_event
from xinfang.petitions.errors import ActionError, Forbidden, WrongState
from xinfang.petitions.models import EventAction
from xinfang.units import bureaus
from xinfang.units.models import Unit, UnitKind

from .models import Alert, AlertKind, AlertNotice, AlertStatus, ReportUp, ReportUpKind, Severity

MANAGERS = {Role.BUREAU_LEADER, Role.SUPERVISOR, Role.REGISTRAR, Role.ADMIN, Role.UNIT_LEADER}


def linked_petitions(alert: Alert) -> list:
    petitions = list(alert.petitions.all())
    if alert.petition_id and all(p.pk != alert.petition_id for p in petitions):
        petitions.insert(0, alert.petition)
    return petitions


def _record(alert: Alert, *, actor, reason: str, data: dict) -> None:
    for petition in linked_petitions(alert):
        record_event(
            petition,
            action=EventAction.MECHANISM,
            actor=actor,
            actor_label="" if actor else "系统",
            reason=reason,
            data={"mechanism": "alert", "alert_id": alert.pk, **data},
        )


def can_manage(user, alert: Alert) -> bool:
    """The bureau whose area the alert belongs to manages it (an alert about a petition: the bureau
    holding the petition; an upper bureau reads it, never acts in a lower one's place); a unit
    leader those of their unit."""
    if not getattr(user, "is_authenticated", False) or user.role not in MANAGERS:
        return False
    if user.is_bureau_staff:
        if alert.petition_id:
            return bureaus.owns_matter(user, alert.petition)
        return bureaus.owns(user, alert.unit)
    return (
        user.role == Role.UNIT_LEADER
        and alert.unit_id is not None
        and user.unit_id is not None
        and (alert.unit.is_within(user.unit))
    )


def needs_report_up(alert: Alert) -> bool:
    """Art. 25: major or urgent matters — an urgent petition, or a critical
    collective / surge warning."""
    if alert.kind == AlertKind.URGENT or (alert.petition_id and alert.petition.is_urgent):
        return True
    return alert.severity == Severity.CRITICAL and alert.kind in {AlertKind.COLLECTIVE, AlertKind.SURGE}


def notify(alert: Alert, *, user: User | None = None, unit: Unit | None = None, reason: str) -> AlertNotice:
    return AlertNotice.objects.create(alert=alert, user=user, unit=unit, reason=reason)


def bureau_for(unit: Unit | None) -> Unit | None:
    """The petition bureau responsible for `unit`: the bureau under the nearest
    ancestor that has one."""
    bureaus = list(Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).select_related("parent"))
    if unit is not None:
        for bureau in sorted(bureaus, key=lambda b: -len(b.parent.path if b.parent_id else "")):
            if bureau.parent_id and unit.path.startswith(bureau.parent.path):
                return bureau
    return bureaus[0] if bureaus else None


NATIONAL_BUREAU = "国家信访局"


def _competent_department(alert: Alert | None, bureau: Unit | None, same: Unit | None) -> Unit | None:
    """The department in charge of the matter: the unit handling the petition,
    or the unit the warning is about (not the bureau or the leadership itself)."""
    if alert is None:
        return None
    petition = alert.petition if alert.petition_id else None
    for unit in (petition.handling_unit if petition else None, alert.unit):
        if unit is not None and unit not in (bureau, same) and unit.kind != UnitKind.BUREAU:
            return unit
    return None


def report_targets(bureau: Unit | None, alert: Alert | None = None) -> dict[str, tuple[Unit | None, str]]:
    """Art. 25, as (unit, name) per kind.  ①: the same-level Party committee and
    government (the bureau's parent), the competent department, and the
    same-level joint conference office (kept by the bureau).  ②: the bureau one
    level up (a bureau under the leadership's parent; the upper leadership if
    none) and, at the same time, the national bureau (国家信访局)."""
    same = bureau.parent if bureau and bureau.parent_id else None
    upper_parent = same.parent if same and same.parent_id else None
    upper = None
    if upper_parent is not None:
        upper = Unit.objects.filter(parent=upper_parent, kind=UnitKind.BUREAU).first() or upper_parent
    targets: dict[str, tuple[Unit | None, str]] = {}
    if same is not None:
        targets[ReportUpKind.SAME_LEVEL] = (same, same.name)
    department = _competent_department(alert, bureau, same)
    if department is not None:
        targets[ReportUpKind.COMPETENT_DEPARTMENT] = (department, department.name)
    if bureau is not None:
        area = same.name.removesuffix("人民政府") if same is not None else bureau.name.removesuffix("信访局")
        targets[ReportUpKind.JOINT_CONFERENCE] = (
            bureau,
            f"{area}信访工作联席会议办公室（设在{bureau.name}）"[:100],
        )
    if upper is not None:
        targets[ReportUpKind.UPPER_BUREAU] = (upper, upper.name)
    if bureau is not None and NATIONAL_BUREAU not in {bureau.name, upper.name if upper else ""}:
        national = Unit.objects.filter(name=NATIONAL_BUREAU).first()
        targets[ReportUpKind.NATIONAL_BUREAU] = (national, NATIONAL_BUREAU)
    return targets


@transaction.atomic
def alert_report_up(*, alert: Alert, actor=None, note: str = "") -> list[ReportUp]:
    """Record the Art. 25 reports (idempotent: one row per kind)."""
    if actor is not None and not can_manage(actor, alert):
        raise Forbidden()
    now = timezone.now()
    made = []
    for kind, (unit, name) in report_targets(bureau_for(alert.unit), alert).items():
        report, created = ReportUp.objects.get_or_create(
            alert=alert,
            kind=kind,
            defaults={
                "unit": unit,
                "unit_name": name,
                "reported_by": actor,
                "reported_at": now,
                "note": note,
            },
        )
        if created:
            made.append(report)
    if made:
        Alert.objects.filter(pk=alert.pk, reported_up_at__isnull=True).update(reported_up_at=now)
        alert.reported_up_at = alert.reported_up_at or now
        names = "、".join(r.unit_name for r in made)
        _record(
            alert,
            actor=actor,
            reason=f"重大紧急信访事项已报告：{names}（《信访工作条例》第二十五条）",
            data={"report_up": [r.unit_id for r in made]},
        )
    return made


def after_raise(alert: Alert | None) -> Alert | None:
    """What follows a new alert: a notice to its unit, and the Art. 25 report when due."""
    if alert is None:
        return None
    # Alerts without a unit (a category surge) go to the bureau's own list.
    target = alert.unit if alert.unit_id else bureau_for(None)
    if target is not None:
        notify(alert, unit=target, reason="新预警")
    if needs_report_up(alert):
        alert_report_up(alert=alert)
    return alert


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, note: str = "") -> Alert:
    if not can_manage(actor, alert):
        raise Forbidden(_("只有信访部门或本单位负责人可以确认预警"))
    now = timezone.now()
    changed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED, acknowledged_by=actor, acknowledged_at=now
    )
    if changed != 1:
        raise WrongState(_("该预警已被处理，请刷新后重试"))
    alert.refresh_from_db()
    _record(
        alert,
        actor=actor,
        reason=f"确认预警：{alert.title}" + (f"（{note}）" if note else ""),
        data={"alert_action": "acknowledge"},
    )
    return alert


@transaction.atomic
def alert_assign(*, actor, alert: Alert, assignee: User, note: str = "") -> Alert:
    if not can_manage(actor, alert):
        raise Forbidden(_("只有信访部门或本单位负责人可以指派预警"))
    if not assignee.is_active or assignee.unit_id is None or assignee.role == Role.HEARING_MEMBER:
        raise ActionError("invalid", _("请选择有效的工作人员"), fields={"assignee": _("无效的工作人员")})
    if actor.is_bureau_staff and not bureaus.reaches(actor, assignee.unit):
        raise ActionError("invalid", _("只能指派给本辖区工作人员"), fields={"assignee": _("不属本辖区")})
    if not actor.is_bureau_staff and not assignee.unit.is_within(actor.unit):
        raise ActionError("invalid", _("只能指派给本单位工作人员"), fields={"assignee": _("不属本单位")})
    now = timezone.now()
    changed = Alert.objects.filter(
        pk=alert.pk, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
    ).update(
        status=AlertStatus.ASSIGNED,
        assigned_to=assignee,
    )
    if changed != 1:
        raise WrongState(_("该预警已关闭或已指派"))
    Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=actor, acknowledged_at=now
    )
    alert.refresh_from_db()
    notify(alert, user=assignee, reason="指派处理")
    if assignee.unit_id != alert.unit_id:
        notify(alert, unit=assignee.unit, reason="指派处理")
    _record(
        alert,
        actor=actor,
        reason=f"指派{assignee.display_name}处理预警：{alert.title}" + (f"（{note}）" if note else ""),
        data={"alert_action": "assign", "assignee_id": assignee.pk},
    )
    return alert


@transaction.atomic
def alert_close(*, actor, alert: Alert, note: str = "") -> Alert:
    if not can_manage(actor, alert):
        raise Forbidden()
    changed = (
        Alert.objects.filter(pk=alert.pk).exclude(status=AlertStatus.CLOSED).update(status=AlertStatus.CLOSED)
    )
    if changed != 1:
        raise WrongState(_("该预警已关闭"))
    alert.refresh_from_db()
    _record(
        alert,
        actor=actor,
        reason=f"关闭预警：{alert.title}" + (f"（{note}）" if note else ""),
        data={"alert_action": "close"},
    )
    return alert
