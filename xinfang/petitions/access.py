"""Who may see which petition.  Every load of a petition for a user goes
through `get_petition_for` or `visible_petitions`.

Rules (issue 2 §6, issue 14):
- bureau staff (registrars, bureau leaders, supervisors, administrators of a
  petition bureau) see every petition of their bureau's area: the area of a city
  bureau holds its districts' (to supervise them), sibling bureaus see nothing of
  each other's (units/bureaus.py);
- any unit or bureau that held a matter (Custody: a bureau it moved through, a
  unit whose opinion is under review above) keeps reading it;
- a unit's staff see petitions handled by their unit or its sub-units, or
  registered there, or shared with them through a mechanism (joint handling);
- hearing members see no petition list: only their hearings (hearings app);
- whatever else holds: an accusation (检举控告) is never visible to the
  accused person nor to the accused unit and its sub-units (Art. 30③), with
  the exemptions below (see `accusation_hidden_q`);
- a recused staff member (Art. 28③) does not see the petition at all, except
  the oversight roles (supervisors and leaders of a petition bureau): recusal
  takes away their right to act (actions/rules.py), never their oversight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role
from xinfang.units import bureaus
from xinfang.units.models import UnitKind

from .choices import PetitionClass
from .models import Custody, Petition, Recusal

NOTHING = Q(pk__in=[])

# Other apps (joint reception, hearings) add ways a unit gets to see a petition:
# each callable takes a user and returns a Q over Petition.
SCOPE_EXTENSIONS: list[Callable] = []


def accusation_hidden_q(user) -> Q:
    """Accusations ``user`` must not see, whatever their scope (Art. 30③).

    The unit tree puts the petition bureau, the discipline commission and the
    departments *under* the government they belong to (海州区人民政府 › 海州区信访局,
    › 区纪委监委 …), so "the accused unit and its sub-units" would, for an
    accusation against a government, include the very bodies that must register,
    route and handle it.  Precisely, with R the accused unit (``respondent_unit``)
    and U the viewer's unit, an accusation is hidden from the viewer when

    1. the viewer is the accused person (``respondent_user``) — always; or
    2. U is R itself — always (an accused bureau or discipline unit included,
       and even when the matter was routed to R by mistake); or
    3. U is strictly below R, unless U is a petition bureau (it registers and
       routes every matter), a discipline unit (it handles accusations, Art. 22)
       or the petition's handling unit itself.

    Units outside R's subtree (above it or beside it) are not affected; their
    ordinary scope decides.
    """
    hidden = Q(respondent_user=user)
    unit = user.unit if user.unit_id else None
    if unit is not None:
        lineage = unit.lineage_ids()
        hidden |= Q(respondent_unit_id=unit.pk)
        if unit.kind not in (UnitKind.BUREAU, UnitKind.DISCIPLINE):
            hidden |= Q(respondent_unit_id__in=lineage[:-1]) & ~Q(handling_unit_id=unit.pk)
    return Q(petition_class=PetitionClass.ACCUSATION) & hidden


def _sees_nothing(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return True
    return user.role == Role.HEARING_MEMBER or user.unit_id is None


def petition_scope_q(user, *, by_id: bool = False) -> Q:
    if _sees_nothing(user):
        return NOTHING
    branches = scope_branches(user)
    if branches is None:
        return ~accusation_hidden_q(user)
    scope = [Q(**{f"{column}__in": ids}) for column, ids in branches.columns]
    scope += [custody_q(branches.custody_units, by_id=by_id), *branches.others]
    return reduce(or_, scope) & ~accusation_hidden_q(user)


@dataclass
class ScopeBranches:
    """The branches of a user's scope, whose union (OR) is the scope before the rules that hold
    whatever it is (accusations, recusals):

    - ``columns``: (unit column, ids): the petitions whose column holds one of the ids;
    - ``custody_units``: the petitions that passed through one of these units (Custody);
    - ``others``: the scope's other branches (a unit's joint cases), as filters."""

    columns: list[tuple[str, list[int]]]
    custody_units: list[int]
    others: list[Q]


def scope_branches(user) -> ScopeBranches | None:
    """The branches of the scope of a user who sees something; None: the whole installation (the
    top bureau).  Stated on ids, not path joins: each branch is an indexed lookup on the petition's
    own columns (at 1,000,000 petitions a handler's overdue count that joined units by path took
    0.15 s)."""
    if user.is_bureau_staff:
        # A bureau sees the matters registered, held or handled in its area (its own and its
        # lower bureaus', to supervise them) and those that passed through it; sibling bureaus
        # see nothing of each other's.
        ids = bureaus.viewer_area_ids(user)
        if ids is None:
            return None
        return ScopeBranches(
            [("handling_unit_id", ids), ("registering_unit_id", ids), ("bureau_id", ids)], ids, []
        )
    ids = unit_subtree_ids(user)
    others = [extension(user) for extension in SCOPE_EXTENSIONS]
    return ScopeBranches([("handling_unit_id", ids), ("registering_unit_id", ids)], ids, others)


# A unit's joint cases are few: given as ids, the database counts them rightly.
INLINE_IDS_MAX = 1000


def few_ids_q(petition_ids) -> Q:
    """``pk IN petition_ids`` (a values_list of petition ids), as a list of ids when they are
    few.  Inside an OR, PostgreSQL guesses that a subquery matches half of all petitions; with
    two such guesses (a unit's custody and its joint cases) it walked a status index across the
    whole city for a handler's count (0.11 s of a 0.28 s home page at 1,000,000 petitions)."""
    petition_ids = petition_ids.order_by()  # any order: a model's default one would sort them all
    few = list(petition_ids[: INLINE_IDS_MAX + 1])
    return Q(pk__in=few) if len(few) <= INLINE_IDS_MAX else Q(pk__in=petition_ids)


def custody_q(unit_ids: list[int], *, by_id: bool = False) -> Q:
    """The petitions that passed through one of the units (Custody).  ``by_id`` (a few petitions
    looked up by id): probe the custody index for each, where IN hashes every custody row of the
    units (23,000-95,000 for a district's area at 1,000,000 petitions) on each call; a list keeps
    IN, whose plans the list pages were measured with."""
    if by_id:
        return Q(Exists(Custody.objects.filter(petition_id=OuterRef("pk"), unit_id__in=unit_ids)))
    return Q(pk__in=Custody.objects.filter(unit_id__in=unit_ids).values("petition_id"))


def unit_subtree_ids(user) -> list[int]:
    """Ids of the user's unit and the units under it (kept on the user object for the request,
    like bureaus.viewer_area_ids)."""
    from xinfang.units.models import Unit

    cached = getattr(user, "_unit_subtree_ids", None)
    if cached is None or cached[0] != user.unit_id:
        ids = list(Unit.objects.subtree_of(user.unit).values_list("pk", flat=True))
        cached = user._unit_subtree_ids = (user.unit_id, ids)
    return cached[1]


def keeps_oversight(user) -> bool:
    """Supervisors and bureau leaders keep reading a matter they stepped aside from."""
    return user.role in {Role.SUPERVISOR, Role.BUREAU_LEADER} and user.is_bureau_staff


def visible_petitions(user, *, by_id: bool = False) -> QuerySet[Petition]:
    """The petitions ``user`` may see.  ``by_id``: the caller narrows them to a few dozen ids (the
    similar matters and flags of a triage panel), which sets the plan of the scope's custody
    branch (see custody_q)."""
    return _without_recusals(user, Petition.objects.filter(petition_scope_q(user, by_id=by_id)))


def _without_recusals(user, qs: QuerySet[Petition]) -> QuerySet[Petition]:
    if getattr(user, "is_authenticated", False) and not keeps_oversight(user):
        qs = qs.exclude(recusals__user=user)
    return qs


@dataclass
class ScopeParts:
    """``visible_petitions(user)`` as a union of narrower parts (they may overlap; their union is
    exactly the visible set), for lists that merge the first rows of each part (inbox
    filters.merged_head): the scope's branches (``scope_branches``), each read through
    ``restricted``, which applies the rules that hold whatever the scope (accusations,
    recusals)."""

    user: object
    columns: list[tuple[str, list[int]]]
    custody_units: list[int]
    others: list[QuerySet[Petition]]

    def restricted(self, q: Q) -> QuerySet[Petition]:
        return _without_recusals(self.user, Petition.objects.filter(q & ~accusation_hidden_q(self.user)))

    def querysets(self) -> list[QuerySet[Petition]]:
        """One queryset per column (an IN list), for custody and per other branch."""
        by_column = [self.restricted(Q(**{f"{column}__in": ids})) for column, ids in self.columns if ids]
        custody = [self.restricted(custody_q(self.custody_units))] if self.custody_units else []
        return by_column + custody + self.others


def visible_parts(user) -> ScopeParts | None:
    """The user's scope as parts (see ScopeParts); None when it is not an area's: the top bureau
    sees everything."""
    if _sees_nothing(user):
        return ScopeParts(user, [], [], [])
    branches = scope_branches(user)
    if branches is None:
        return None
    parts = ScopeParts(user, branches.columns, branches.custody_units, [])
    parts.others = [parts.restricted(other) for other in branches.others]
    return parts


def holds_every_bureau(unit_ids: list[int]) -> bool:
    """Every petition bureau is among ``unit_ids`` (the subtree of the government at the top)."""
    from xinfang.units.models import Unit

    return not Unit.objects.filter(kind=UnitKind.BUREAU).exclude(pk__in=unit_ids).exists()


def holds_handled_under(user, unit_ids: list[int]) -> bool:
    """Every petition handled by one of ``unit_ids`` is in ``user``'s scope, before the rules that
    hold whatever the scope: then those of them ``user`` may see are all of them less
    ``hidden_whatever_scope(user)``, which a count can read without the scope's join."""
    if _sees_nothing(user):
        return False
    branches = scope_branches(user)
    if branches is None:
        return True
    handling = dict(branches.columns).get("handling_unit_id", [])
    return set(unit_ids) <= set(handling)


def hidden_whatever_scope(user) -> list[int]:
    """Ids of the petitions hidden from ``user`` whatever their scope: accusations against them or
    their unit (Art. 30③) and the matters they stepped aside from (Art. 28③), which the oversight
    roles keep reading.  ``visible_petitions(user)`` is the scope less these."""
    if not getattr(user, "is_authenticated", False):
        return []
    # Two indexed lookups: one query with the OR over the recusal join read the whole petition table
    # (0.9 s at 100,000 petitions for a city leader's dashboard).
    accused = Petition.objects.filter(accusation_hidden_q(user)).values_list("pk", flat=True)
    hidden = set(accused)
    if not keeps_oversight(user):
        hidden |= set(Recusal.objects.filter(user=user).values_list("petition_id", flat=True))
    return sorted(hidden)


def can_see(user, petition: Petition) -> bool:
    return visible_petitions(user).filter(pk=petition.pk).exists()


def get_petition_for(user, pk: int, *, for_update: bool = False) -> Petition:
    """The petition if `user` may see it; Http404 otherwise (we do not reveal
    that a hidden petition exists)."""
    qs = visible_petitions(user).select_related("handling_unit", "category", "town", "registering_unit")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except (Petition.DoesNotExist, ValueError, TypeError):
        raise Http404(_("信访事项不存在或无权查看")) from None


def get_petition_by_case_number_for(user, case_number: str) -> Petition:
    petition = visible_petitions(user).filter(case_number=case_number).first()
    if petition is None:
        raise Http404(_("信访事项不存在或无权查看"))
    return petition
