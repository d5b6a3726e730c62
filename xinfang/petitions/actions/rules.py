"""Who may perform each workflow action, and when: one declaration per action.

Each action function is decorated with `declare(name, ...)` right above its
code.  The declaration is the only statement of the rule; everything else
reads it:

- the action enforces it (the decorator calls `Rule.enforce` first, for staff
  and for the petitioner on the portal alike);
- the petition page lists `available(actor, petition)` (xinfang.web.permissions);
- the API turns the refusal into 403 (Forbidden) or 409 (WrongState,
  DeadlinePassed) with the same Chinese message (api/errors.py);
- the tests walk `REGISTRY` for every persona and state.

A declaration is a list of `Allow(who, states, *conditions)` clauses (the
first clause whose `who` matches the actor and whose `states` hold the
petition's status applies), rule-wide `when` conditions, and an optional
`params` check for refusals that depend on the arguments (the target of a
recusal, the earlier matter of an Art. 19③ refusal).  Every staff action also
requires that the actor has not stepped aside from the petition (Art. 28③) —
unless the declaration says `recused_may=True`.  Pages and the API reach a
petition only through access.get_petition_for (404 when hidden); rules that
let anyone on the staff act (notes, recusal) require that the actor sees it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from xinfang.accounts.models import LEADER_ROLES, Role
from xinfang.units.models import UnitKind

from ..choices import Status
from ..errors import ActionError, Forbidden, WrongState
from ..models import Petition

RECUSED_MESSAGE = "您已回避此事项，不能办理（《信访工作条例》第二十八条第三款）"
UNSEEN_MESSAGE = "您无权处理此事项"


def _staff(user) -> bool:
    return getattr(user, "is_authenticated", False)


def _sees(user, petition: Petition) -> bool:
    from ..access import can_see

    return can_see(user, petition)


in_sight = _sees  # the place of a Who that may act wherever it sees the petition


ROLE_MESSAGE = "您无权执行此操作"


@dataclass(frozen=True)
class Who:
    """A kind of actor: one of `roles`, working where `place(user, petition)` holds.
    Refused with ROLE_MESSAGE for another role, with `message` for the wrong place."""

    roles: frozenset[str]
    place: Callable[[object, Petition], bool]
    message: str = ROLE_MESSAGE
    parts: tuple = ()  # the kinds joined with |

    def test(self, user, petition: Petition) -> bool:
        if self.parts:
            return any(part.test(user, petition) for part in self.parts)
        return user.role in self.roles and self.place(user, petition)

    def refusal(self, user) -> str:
        if self.parts:
            return next((m for m in (p.refusal(user) for p in self.parts) if m != ROLE_MESSAGE), ROLE_MESSAGE)
        return self.message if user.role in self.roles else ROLE_MESSAGE

    def __or__(self, other: Who) -> Who:
        parts = (*(self.parts or (self,)), *(other.parts or (other,)))
        return Who(self.roles | other.roles, lambda u, p: False, parts=parts)


def at_own_desk(user, petition: Petition) -> bool:
    """The matter is held by the user's bureau (or, registered before bureaus were
    recorded, has no bureau)."""
    return petition.bureau_id is None or petition.bureau_id == user.unit_id


def in_handling_unit(user, petition: Petition) -> bool:
    """The user works in the petition's handling unit (or a unit above it)."""
    unit = petition.handling_unit
    return unit is not None and user.unit is not None and unit.is_within(user.unit)


DESK_ROLES = frozenset({Role.REGISTRAR, Role.BUREAU_LEADER})
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_LEADER})
STAFF_ROLES = frozenset(Role.values) - {Role.HEARING_MEMBER}

# Registrars and leaders of a petition bureau (not supervisors, not administrators).
# Only the bureau whose desk holds the matter acts on it: an upper bureau reads,
# supervises and reports (Arts. 37–39) but never acts in a lower bureau's place.
BUREAU_DESK = Who(
    DESK_ROLES, lambda u, p: u.is_bureau_staff and at_own_desk(u, p), "只有信访部门工作人员可以执行此操作"
)
UNIT_STAFF = Who(UNIT_ROLES, in_handling_unit, "只有承办单位可以执行此操作")
UNIT_LEADER = Who(frozenset({Role.UNIT_LEADER}), in_handling_unit, "只有承办单位可以执行此操作")
# Steps the petitioner takes (withdrawal, review requests, hearing pauses) that
# staff record for them: the bureau's desk or the unit that has the matter.
DESK_OR_UNIT = BUREAU_DESK | UNIT_STAFF
# Supervisors read and supervise; they never act on the matter itself.
NOT_SUPERVISOR = Who(STAFF_ROLES - {Role.SUPERVISOR}, _sees, UNSEEN_MESSAGE)
ANY_STAFF = Who(STAFF_ROLES, _sees, UNSEEN_MESSAGE)


@dataclass(frozen=True)
class When:
    """A further condition: `test(actor, petition)` true, or `refusal(petition)` is raised."""

    test: Callable[[object, Petition], bool]
    refusal: Callable[..., ActionError]
    with_actor: bool = False  # refusal(actor, petition) instead of refusal(petition)

    def refuse(self, actor, petition: Petition) -> ActionError:
        return self.refusal(actor, petition) if self.with_actor else self.refusal(petition)


def when(test: Callable[[Petition], bool], refusal: Callable[[Petition], ActionError]) -> When:
    """A condition on the petition alone."""
    return When(lambda actor, petition: test(petition), refusal)


def refused_by(refusal: Callable[[Petition], ActionError | None]) -> When:
    """A condition written as one function that says why not (or None when it holds)."""
    return When(lambda actor, petition: refusal(petition) is None, refusal)


def actor_refused_by(refusal: Callable[[object, Petition], ActionError | None]) -> When:
    """As `refused_by`, for a condition on the actor and the petition together."""
    return When(lambda actor, petition: refusal(actor, petition) is None, refusal, with_actor=True)


class Allow:
    """One clause: actors of kind `who`, in one of `states` (None: any), if `conditions` hold."""

    __slots__ = ("who", "states", "conditions")

    def __init__(self, who: Who, states: Iterable[str] | str | None = None, *conditions: When):
        if isinstance(states, str):
            states = {states}
        self.who = who
        self.states = frozenset(states) if states is not None else None
        self.conditions = tuple(conditions)


def _state_refusal(petition: Petition) -> WrongState:
    return WrongState(f"当前状态为“{Status(petition.status).label}”，不能执行此操作")


@dataclass
class Rule:
    """The precondition of one action (see the module docstring)."""

    name: str
    allow: tuple[Allow, ...]
    petitioner: bool = False  # the petitioner may do it on the portal (no actor), in the same states
    when: tuple[When, ...] = ()
    params: Callable[..., ActionError | None] | None = None
    state_message: str = ""
    recused_may: bool = False
    function: Callable | None = field(default=None, repr=False)

    def check(self, actor, petition: Petition, **kw) -> ActionError | None:
        """The refusal for `actor` on `petition` (with the action's arguments `kw`), or None."""
        if not _staff(actor):
            # Only a missing actor is the petitioner (the portal checked the query
            # code); an anonymous web user is no one.
            if actor is not None:
                return Forbidden("请登录后操作")
            return self._petitioner_check(petition, kw)
        return self.check_staff(actor, petition, recused=is_recused(actor, petition), **kw)

    def check_staff(self, actor, petition: Petition, *, recused: bool, **kw) -> ActionError | None:
        """`check` for a signed-in actor whose recusal is known."""
        if recused and not self.recused_may:
            return Forbidden(RECUSED_MESSAGE)
        matching = [a for a in self.allow if a.who.test(actor, petition)]
        if not matching:
            messages = [a.who.refusal(actor) for a in self.allow]
            return Forbidden(next((m for m in messages if m != ROLE_MESSAGE), ROLE_MESSAGE))
        in_state = [a for a in matching if a.states is None or petition.status in a.states]
        if not in_state:
            return WrongState(self.state_message) if self.state_message else _state_refusal(petition)
        clause = in_state[0]
        for condition in (*clause.conditions, *self.when):
            if not condition.test(actor, petition):
                return condition.refuse(actor, petition)
        if kw and self.params is not None:
            return self.params(actor, petition, **kw)
        return None

    def _petitioner_check(self, petition: Petition, kw: dict) -> ActionError | None:
        if not self.petitioner:
            return Forbidden("请登录后操作")
        states = None
        if all(a.states is not None for a in self.allow):
            states = frozenset().union(*(a.states for a in self.allow))
        if states is not None and petition.status not in states:
            return WrongState(self.state_message) if self.state_message else _state_refusal(petition)
        for condition in self.when:
            if not condition.test(None, petition):
                return condition.refuse(None, petition)
        if kw and self.params is not None:
            return self.params(None, petition, **kw)
        return None

    def enforce(self, actor, petition: Petition, **kw) -> None:
        refusal = self.check(actor, petition, **kw)
        if refusal is not None:
            raise refusal

    def allows(self, actor, petition: Petition) -> bool:
        return self.check(actor, petition) is None


# name → Rule, in declaration order (the petition page orders its forms itself).
REGISTRY: dict[str, Rule] = {}


def declare(
    name: str,
    *allow: Allow,
    petitioner: bool = False,
    when: Iterable[When] = (),
    params: Callable[..., ActionError | None] | None = None,
    state_message: str = "",
    recused_may: bool = False,
):
    """Declare the rule of the decorated action and enforce it before its body runs.

    The action must take `actor` and `petition` as keyword arguments."""
    rule = Rule(
        name=name,
        allow=tuple(allow),
        petitioner=petitioner,
        when=tuple(when),
        params=params,
        state_message=state_message,
        recused_may=recused_may,
    )
    if name in REGISTRY:
        raise RuntimeError(f"rule {name} declared twice")
    REGISTRY[name] = rule

    def decorate(function):
        @functools.wraps(function)
        def guarded(*, petition: Petition, actor=None, **kw):
            rule.enforce(actor, petition, **kw)
            return function(actor=actor, petition=petition, **kw)

        guarded.rule = rule
        rule.function = guarded
        return guarded

    return decorate


def is_recused(user, petition: Petition) -> bool:
    return _staff(user) and petition.recusals.filter(user=user).exists()


def available(actor, petition: Petition, names: Iterable[str] | None = None) -> list[str]:
    """Names of the declared actions `actor` may take on `petition` now (none when
    the actor does not see it)."""
    from ..access import can_see

    if not _staff(actor) or not can_see(actor, petition):
        return []
    recused = is_recused(actor, petition)
    return [
        name
        for name in (names if names is not None else REGISTRY)
        if name in REGISTRY and REGISTRY[name].check_staff(actor, petition, recused=recused) is None
    ]


# ---------------------------------------------------------------- recusal authority (Art. 28③)


def decides_recusal_of(actor, target) -> bool:
    """Recusal is declared by the person themself or decided by their superior:
    a leader of their own unit (for staff who are not leaders), a leader of a
    unit above theirs, or a leader of the petition bureau above their unit.
    Never a subordinate, a peer leader or a supervisor."""
    if not _staff(actor) or target is None:
        return False
    if actor.pk == target.pk:
        return True
    if actor.role not in LEADER_ROLES or actor.unit is None or target.unit is None:
        return False
    mine, theirs = actor.unit, target.unit
    if mine.pk == theirs.pk:
        return target.role not in LEADER_ROLES
    if theirs.is_within(mine):
        return True
    bureau_above = (
        actor.role == Role.BUREAU_LEADER
        and mine.kind == UnitKind.BUREAU
        and mine.parent is not None
        and theirs.is_within(mine.parent)
        and not mine.is_within(theirs)
    )
    return bureau_above
