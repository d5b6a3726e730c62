"""Triage of one petition: suggestions, history, similar matters and flags — computed once and stored.

``analyse(user=, draft=)`` is the read-only computation the desk panel and the API call while the
registrar types; ``triage_petition(petition)`` runs it for a registered petition (after commit of
``petition_register``, see apps.py), stores a ``TriageRecord``, sets the petition's flag columns with
conditional updates, joins collective groups and raises their early warning, and records how the
registrar's own choices at the desk compare with the suggestions (``Correction`` rows).
``apply_suggestion`` is the registrar accepting or correcting a suggestion on the petition page; it
goes through ``petition_classify``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinfang.petitions.actions import petition_classify
from xinfang.petitions.choices import Channel, PetitionClass
from xinfang.petitions.errors import ActionError
from xinfang.petitions.models import Petition
from xinfang.units.models import Category, Unit

from . import flags as F
from . import groups, history
from .index_sync import similar_for
from .models import Correction, TriageRecord
from .suggest import Predicted, current_models, model_text, predict_batch, suggest
from .training import petition_text
from .visibility import flags_refs, visible_flags, visible_ids

log = logging.getLogger("xinfang.triage")

SIMILAR_K = 10
APPLICABLE = ("category", "petition_class", "claim_route")
FLAG_COLUMNS = (("is_repeat", "repeat"), ("is_skip_level", "skip_level"), ("is_collective", "collective"))


@dataclass
class Analysis:
    suggestions: dict
    flags: list[F.Flag]
    history: list[Petition]
    similar: list[dict]
    model_version: int | None
    group_members: list[int] = field(default_factory=list)
    elapsed_ms: float = 0.0


class _System:
    """Stands for the triage itself when no user is involved: sees everything (stored results are
    filtered by the viewer when shown)."""


SYSTEM = _System()


def _similar(user, text: str, exclude_id: int | None, category=None) -> list[dict]:
    exclude = [exclude_id] if exclude_id else []
    if user is SYSTEM:
        from .index_sync import get_index

        synced = get_index()
        if synced is None or not len(synced):
            return []
        # A registered petition the index already holds is not encoded again: its stored vector is
        # its text's encoding (the worker's index has caught up with the batch being triaged).
        vectors, salient = synced.encode(text, category, petition_id=exclude_id)
        matches = synced.nearest(vectors, salient, k=SIMILAR_K * 3, exclude_ids=exclude)
        return [{"id": m.id, "score": m.score, "reason": m.reason} for m in matches]
    return similar_for(user, text, k=SIMILAR_K, exclude_ids=exclude, category=category)


def analyse(
    *, user, draft: F.Draft, exclude_id: int | None = None, predicted: Predicted | None = None, row: int = 0
) -> Analysis:
    """``predicted`` (row ``row``): the models' predictions made for a batch (the worker)."""
    started = time.perf_counter()
    now = draft.received_at or timezone.now()
    suggestions, version = suggest(
        title=draft.title,
        text=draft.text,
        town_id=draft.town_id,
        place=draft.place,
        predicted=predicted,
        row=row,
    )
    unit_s = suggestions.get("unit")
    responsible = None
    if unit_s is not None:
        responsible = Unit.objects.filter(pk=int(unit_s.value)).first()
    elif draft.town_id:
        responsible = Unit.objects.filter(pk=draft.town_id).first()
    earlier = history.earlier_petitions(draft.petitioner_ids, exclude_id=exclude_id)
    if user is not SYSTEM:  # a viewer's flags rest only on matters they may open (issue 13 §1)
        shown = visible_ids(user, [p.pk for p in earlier])
        earlier = [p for p in earlier if p.pk in shown]
    same = F.same_matter(draft, earlier)
    # The category counts in the ranking: the suggested one (the desk has not chosen yet).
    category = suggestions.get("category").value if suggestions.get("category") else None
    similar = _similar(user, petition_text(draft.title, draft.text), exclude_id, category)
    # Other people's recent petitions on the same matter: the collective group candidates.
    mine = {p.pk for p in earlier}
    recent_ids = [s["id"] for s in similar if s["id"] not in mine][: F.MAX_COMPARE]
    recent = list(
        Petition.objects.filter(pk__in=recent_ids, received_at__gte=now - timedelta(days=F.COLLECTIVE_DAYS))
        .exclude(petitioner_links__petitioner_id__in=list(draft.petitioner_ids))
        .only("pk", "title", "content", "status", "received_at", "case_number", "head_count")
    )
    order = {pid: n for n, pid in enumerate(recent_ids)}
    recent.sort(key=lambda p: order[p.pk])
    group = F.same_matter(draft, recent, same_place=True)
    heads = sum(p.head_count or 0 for p, _, _ in group)  # loaded above: no second query
    group_people = groups.people_of([p.pk for p, _, _ in group], heads=heads) if group else 0
    found = [
        F.repeat_flag(draft, same),
        F.collective_flag(draft, group, group_people),
        F.skip_level_flag(draft, responsible, same),
    ]
    if user is not SYSTEM:
        similar = similar[:SIMILAR_K]
    return Analysis(
        suggestions={k: v.as_dict() for k, v in suggestions.items()},
        flags=[f for f in found if f is not None],
        history=earlier,
        similar=similar,
        model_version=version,
        group_members=[p.pk for p, _, _ in group],
        elapsed_ms=round(1000 * (time.perf_counter() - started), 1),
    )


def draft_of(petition: Petition, people: history.PetitionPeople | None = None) -> F.Draft:
    """The registered petition as the desk would have drafted it; ``people`` from the worker's batch."""
    if people is None:
        people = history.people_of_petitions([petition.pk])[petition.pk]
    return F.Draft(
        title=petition.title,
        text=petition.content,
        place=petition.place_address,
        channel=petition.channel,
        head_count=petition.head_count,
        n_petitioners=len(people.representatives),
        n_representatives=sum(1 for r in people.representatives if r),
        registering_unit=petition.registering_unit,
        town_id=petition.town_id,
        received_at=petition.received_at,
        petition_id=petition.pk,
        petitioner_ids=people.petitioner_ids,
    )


@dataclass
class Batch:
    """What the worker reads for its claimed batch at once: the petitions (with what their triage
    reads), their people and the models' predictions for their texts (row ``rows[pk]``)."""

    petitions: dict[int, Petition]
    people: dict[int, history.PetitionPeople]
    predicted: Predicted
    rows: dict[int, int]


def load_for_triage(ids) -> dict[int, Petition]:
    """The petitions with what their triage reads, by id in the order of ``ids`` (missing ones left out)."""
    found = Petition.objects.select_related("registering_unit").in_bulk(list(ids))
    return {pk: found[pk] for pk in ids if pk in found}


def load_batch(ids) -> Batch:
    petitions = load_for_triage(ids)
    return Batch(
        petitions=petitions,
        people=history.people_of_petitions(list(petitions)),
        predicted=predict_batch([model_text(p.title, p.content) for p in petitions.values()]),
        rows={pk: n for n, pk in enumerate(petitions)},
    )


def triage_petition(petition: Petition, *, batch: Batch | None = None) -> TriageRecord:
    """Compute, store and apply the triage of a registered petition (idempotent); returns the record
    as computed (a group an earlier triage gave it stays in the database, not on this object).

    ``petition`` is read again, unless it comes from ``batch`` (the worker's, just read)."""
    if batch is None:
        petition = load_for_triage([petition.pk])[petition.pk]
        draft, predicted, row = draft_of(petition), None, 0
    else:
        pk = petition.pk
        draft, predicted, row = draft_of(petition, batch.people[pk]), batch.predicted, batch.rows[pk]
    analysis = analyse(user=SYSTEM, draft=draft, exclude_id=petition.pk, predicted=predicted, row=row)
    kinds = {f.kind for f in analysis.flags}
    group = None
    computed = {
        "computed_at": timezone.now(),
        "model_version_id": analysis.model_version,
        "suggestions": analysis.suggestions,
        "flags": [f.as_dict() for f in analysis.flags],
        "similar": analysis.similar,
        "history": [p.pk for p in analysis.history],
        "is_repeat": "repeat" in kinds,
        "is_collective": "collective" in kinds,
        "is_skip_level": "skip_level" in kinds,
        "elapsed_ms": analysis.elapsed_ms,
    }
    with transaction.atomic():
        # One upsert (INSERT … ON CONFLICT): a group may have made the record already, holding
        # only the group, which it keeps.
        (record,) = TriageRecord.objects.bulk_create(
            [TriageRecord(petition=petition, **computed)],
            update_conflicts=True,
            unique_fields=["petition"],
            update_fields=list(computed),
        )
        columns = [c for c, kind in FLAG_COLUMNS if kind in kinds]
        if columns:  # one conditional update: written only when a flag is not yet set
            unset = Q()
            for column in columns:
                unset |= Q(**{column: False})
            Petition.objects.filter(unset, pk=petition.pk).update(**dict.fromkeys(columns, True))
        _record_desk_choices(petition, analysis)
        if analysis.group_members and any(f.case == "shared_matter" for f in analysis.flags):
            group = groups.join(petition, analysis.group_members)
            record.group = group
    if group is not None:
        groups.warn(group)
    return record


def triage_after_commit(petition_id: int) -> None:
    petition = Petition.objects.filter(pk=petition_id).first()
    if petition is not None:
        triage_petition(petition)


def _record_desk_choices(petition: Petition, analysis: Analysis) -> None:
    """What the registrar chose at the desk, next to what was suggested: acceptance or correction."""
    if petition.registered_by_id is None:
        return
    chosen = {"category": petition.category_id, "petition_class": petition.petition_class}
    rows = []
    for fieldname, value in chosen.items():
        suggestion = analysis.suggestions.get(fieldname)
        if value in (None, "") or suggestion is None:
            continue
        rows.append(
            Correction(
                petition=petition,
                field=fieldname,
                suggested=suggestion["value"],
                chosen=str(value),
                accepted=suggestion["value"] == str(value),
                actor_id=petition.registered_by_id,
                model_version_id=analysis.model_version,
            )
        )
    Correction.objects.bulk_create(rows)


# ----- the registrar's answer on the petition page ---------------------------------------------------
def apply_suggestion(*, actor, petition: Petition, field: str, value: str) -> Correction:
    """Accept (``value`` = the suggestion) or correct one suggestion through ``petition_classify``."""
    if field not in APPLICABLE:
        raise ActionError("invalid", "该项不能在此修改", fields={"field": "不支持"})
    record = TriageRecord.objects.filter(petition=petition).first()
    stored = record.suggestions if record else {}
    suggested = (stored.get(field) or {}).get("value", "")
    value = str(value or "").strip()
    petition_class = petition.petition_class or (stored.get("petition_class") or {}).get("value", "")
    claim_route = petition.claim_route
    category = None
    if field == "petition_class":
        petition_class = value
        if value != PetitionClass.CLAIM:
            claim_route = None
    elif field == "claim_route":
        if not value.isdigit():
            raise ActionError("invalid", "请选择处理途径", fields={"claim_route": "途径不正确"})
        petition_class, claim_route = PetitionClass.CLAIM, int(value)
    else:
        category = Category.objects.filter(pk=value if value.isdigit() else None, is_active=True).first()
        if category is None:
            raise ActionError("invalid", "请选择分类", fields={"category": "分类不存在"})
    if not petition_class:
        raise ActionError("invalid", "请先确定类别", fields={"petition_class": "必填"})
    with transaction.atomic():
        petition_classify(
            actor=actor,
            petition=petition,
            petition_class=petition_class,
            claim_route=claim_route,
            category=category,
        )
        return Correction.objects.create(
            petition=petition,
            field=field,
            suggested=suggested,
            chosen=value,
            accepted=suggested == value,
            actor=actor,
            model_version_id=record.model_version_id if record else current_models().version_id,
        )


# ----- presenting ------------------------------------------------------------------------------------
def present_flags(user, flag_dicts: list[dict], visible: set[int]) -> list[dict]:
    """Flags as ``user`` may see them: see visibility.visible_flags (``visible`` must hold every
    petition the flags refer to that the user may open)."""
    return visible_flags(flag_dicts, visible)


def analysis_json(user, analysis: Analysis) -> dict:
    flags = [f.as_dict() for f in analysis.flags]
    ids = [p.pk for p in analysis.history] + [s["id"] for s in analysis.similar] + list(flags_refs(flags))
    visible = visible_ids(user, ids)
    return {
        "model_version": analysis.model_version,
        "suggestions": analysis.suggestions,
        "flags": present_flags(user, flags, visible),
        "history": [history_row(p) for p in analysis.history if p.pk in visible][:20],
        "similar": [_similar_row(s) for s in analysis.similar if s["id"] in visible],
        "elapsed_ms": analysis.elapsed_ms,
    }


def history_row(p: Petition) -> dict:
    return {
        "id": p.pk,
        "case_number": p.case_number,
        "title": p.title,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "received": f"{timezone.localtime(p.received_at):%Y-%m-%d}",
        "url": f"/petitions/{p.pk}/",
    }


def _similar_row(s: dict) -> dict:
    row = dict(s)
    if row.get("received_at") is not None:
        row["received"] = f"{timezone.localtime(row.pop('received_at')):%Y-%m-%d}"
    row["url"] = f"/petitions/{row['id']}/"
    return row


def record_json(user, petition: Petition) -> dict | None:
    """The stored triage of ``petition`` as ``user`` may see it (similar and evidence filtered)."""
    record = TriageRecord.objects.filter(petition=petition).first()
    if record is None:
        return None
    ids = [s["id"] for s in record.similar] + list(record.history) + list(flags_refs(record.flags))
    group_ids = groups.members(record.group_id) if record.group_id else []
    ids += group_ids
    visible = visible_ids(user, ids)
    rows = {
        r["pk"]: r
        for r in Petition.objects.filter(pk__in=visible).values(
            "pk", "case_number", "title", "status", "received_at"
        )
    }
    similar = []
    for s in record.similar:
        if s["id"] in rows and len(similar) < SIMILAR_K:
            r = rows[s["id"]]
            similar.append(
                _similar_row(
                    {
                        **s,
                        "case_number": r["case_number"],
                        "title": r["title"],
                        "status": r["status"],
                        "received_at": r["received_at"],
                    }
                )
            )
    if len(similar) < SIMILAR_K and len(record.similar) >= SIMILAR_K:
        # The stored list is the nearest of all; a narrow viewer may open too few of them, so their
        # own nearest are searched now (filtered by their access like the stored ones).
        similar = [
            _similar_row(s)
            for s in similar_for(
                user,
                petition_text(petition.title, petition.content),
                k=SIMILAR_K,
                exclude_ids=[petition.pk],
                category=petition.category_id,
                petition_id=petition.pk,
            )
        ]
    return {
        "petition_id": petition.pk,
        "computed_at": record.computed_at,
        "model_version": record.model_version_id,
        "suggestions": record.suggestions,
        "flags": present_flags(user, record.flags, visible),
        "similar": similar,
        "history": [rows[i] | {"id": i} for i in record.history if i in rows][:20],
        "group": [rows[i] | {"id": i} for i in group_ids if i in rows and i != petition.pk],
        "elapsed_ms": record.elapsed_ms,
    }


def draft_from_input(
    *,
    user,
    title: str,
    text: str,
    channel: str = Channel.VISIT,
    head_count: int | None = None,
    town_id: int | None = None,
    place: str = "",
    people: list[history.PersonKey] = (),
    petitioner_ids: list[int] = (),
) -> F.Draft:
    people = list(people)
    n = max(len(people), len(petitioner_ids), 1)
    return F.Draft(
        title=title,
        text=text,
        place=place,
        channel=channel or Channel.VISIT,
        head_count=max(head_count or n, n),
        n_petitioners=n,
        n_representatives=sum(1 for p in people if p.is_representative),
        registering_unit=getattr(user, "unit", None),
        town_id=town_id,
        received_at=timezone.now(),
        petitioner_ids=history.petitioner_ids_for_keys(people, petitioner_ids),
    )


def analyse_request(user, kwargs: dict, request=None) -> dict:
    """The desk panel's and the API's answer for a petition being typed (one function for both).

    Looking up a person's history is a personal-data lookup, however the person is named (ID number,
    phone, name and address, or petitioner ids): one audit row per petitioner looked up."""
    draft = draft_from_input(user=user, **kwargs)
    if draft.petitioner_ids:
        _audit_lookup(user, draft.petitioner_ids, request)
    if not draft.text and not draft.title:
        return {
            "model_version": None,
            "suggestions": {},
            "flags": [],
            "history": [],
            "similar": [],
            "elapsed_ms": 0.0,
        }
    return analysis_json(user, analyse(user=user, draft=draft))


def _audit_lookup(user, petitioner_ids, request) -> None:
    from xinfang.audit.models import AuditAction, AuditLog, client_ip
    from xinfang.petitions.models import Petitioner

    ids = Petitioner.objects.filter(pk__in=sorted(petitioner_ids)).values_list("pk", flat=True)
    AuditLog.objects.bulk_create(
        AuditLog(
            user=user if getattr(user, "is_authenticated", False) else None,
            action=AuditAction.LOOKUP,
            object_type=Petitioner._meta.label_lower,
            object_id=str(pk),
            detail="triage",
            ip=client_ip(request),
        )
        for pk in ids
    )


def warm_up() -> None:
    """Load jieba, the catalogue, the models and the index now rather than on the first registration
    (a server start calls this; the first triage otherwise pays a few seconds)."""
    from .catalogue import get_catalogue
    from .index_sync import get_index
    from .segment import ensure_loaded

    ensure_loaded()
    get_catalogue()
    current_models()
    get_index()
