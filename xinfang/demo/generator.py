"""Bulk generator of realistic synthetic petitions (`xinfang generate`).

Writes rows directly with bulk_create in batches (the workflow actions are
for real work: at a million petitions they would take hours), but every row
follows the same rules: due dates come from the deadline engine, statuses
from a simulated life (lifecycle.py), events for every step.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.calendars.rules import DeadlineRule, rule_spec
from xinfang.calendars.service import compute_due
from xinfang.inbox.models import PetitionSearch
from xinfang.inbox.search import document_tokens
from xinfang.lib import crypto
from xinfang.lib.idcard import id_check_digit
from xinfang.petitions.choices import OPEN_STATUSES, Channel, OnlineSource, Stage, Status
from xinfang.petitions.models import (
    PUBLIC_ACTIONS,
    CaseSequence,
    Deadline,
    Evaluation,
    Opinion,
    Petition,
    Petitioner,
    PetitionEvent,
    PetitionLink,
    PetitionPetitioner,
    name_address_hash,
    query_code_hash,
)
from xinfang.units.models import Unit

from .fastinsert import insert_rows
from .lifecycle import Life, simulate
from .reference import Reference, ensure_reference
from .texts import ESTATES, TEMPLATES, Template, fill, person_name

CHANNEL_WEIGHTS = [
    (Channel.ONLINE, 34),
    (Channel.VISIT, 25),
    (Channel.LETTER, 14),
    (Channel.PHONE, 15),
    (Channel.FAX, 2),
    (Channel.TRANSFER_FROM_ABOVE, 8),
    (Channel.LEADER_INSTRUCTION, 2),
]
SOURCES = [
    OnlineSource.PORTAL,
    OnlineSource.WECHAT,
    OnlineSource.WEIBO,
    OnlineSource.APP,
    OnlineSource.HOTLINE_12345,
]
PETITIONER_ACTIONS = {"evaluate", "request_review", "request_rereview", "withdraw"}
OPINION_TEXT = {
    "support": (
        "经调查核实，信访人反映的问题属实，诉求符合有关规定，予以支持，责成相关单位限期整改落实。",
        "《信访工作条例》第三十二条第一款第（一）项",
    ),
    "explain": (
        "经调查核实，信访人诉求事由合理但缺乏法律依据，已向信访人做好解释说明工作。",
        "《信访工作条例》第三十二条第一款第（二）项",
    ),
    "not_support": (
        "经调查核实，信访人诉求缺乏事实根据，不符合有关规定，不予支持。",
        "《信访工作条例》第三十二条第一款第（三）项",
    ),
}


@lru_cache(maxsize=20000)
def _due(rule: str, start, days: int | None = None):
    return compute_due(rule, start, days=days)


@lru_cache(maxsize=32)
def _spec(rule: str):
    return rule_spec(rule)


@dataclass
class Context:
    ref: Reference
    unit_by_hint: dict[str, Unit]
    handlers: dict[int, int]
    leaders: dict[int, int]
    registrar_id: int
    towns: list[Unit]


def _context() -> Context:
    ref = ensure_reference()
    hint = {u.short_name: u for u in [*ref.departments, *ref.political_legal]}
    hint["纪委监委"] = ref.discipline
    handlers, leaders = {}, {}
    for user in User.objects.filter(role__in=[Role.HANDLER, Role.UNIT_LEADER]).order_by("pk"):
        target = handlers if user.role == Role.HANDLER else leaders
        target.setdefault(user.unit_id, user.pk)
    registrar = User.objects.filter(role=Role.REGISTRAR, unit=ref.bureau).order_by("pk").first()
    if registrar is None:
        from .reference import ensure_accounts

        ensure_accounts(ref)
        return _context()
    return Context(ref, hint, handlers, leaders, registrar.pk, ref.towns)


class IdBlock:
    """Primary keys assigned here so related rows can be built before insert."""

    def __init__(self, model) -> None:
        self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _id_number(rng: random.Random) -> str:
    birth = datetime(1940, 1, 1) + timedelta(days=rng.randint(0, 60 * 365))
    first17 = f"320706{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_digit(first17)


def _petitioner_row(rng: random.Random, pk: int, town: Unit, created_at: datetime) -> dict:
    id_number, phone = _id_number(rng), _phone(rng)
    name = person_name(rng)
    address = f"{town.name}{rng.choice(ESTATES)}{rng.randint(1, 30)}栋"
    return {
        "id": pk,
        "kind": "person",
        "name": name,
        "email": "",
        "created_at": created_at,
        "id_number_enc": crypto.encrypt(id_number),
        "id_number_hash": crypto.lookup_hash(id_number, purpose="id"),
        "id_number_masked": crypto.mask_id_number(id_number),
        "phone_enc": crypto.encrypt(phone),
        "phone_hash": crypto.lookup_hash(phone, purpose="phone"),
        "phone_masked": crypto.mask_phone(phone),
        "address_enc": crypto.encrypt(address),
        "name_address_hash": name_address_hash(name, address),
    }


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(("138", "139", "150", "151", "158", "187", "188", "133", "177"))
        + f"{rng.randint(0, 99999999):08d}"
    )


class Generator:
    """Generates `n` petitions received between `end - span_days` and `end`."""

    batch = 2000

    def __init__(
        self, *, n: int, seed: int = 2026, end: datetime | None = None, span_days: int = 730, progress=None
    ) -> None:
        self.n, self.rng = n, random.Random(seed)
        self.end = end or timezone.now()
        self.start = self.end - timedelta(days=span_days)
        self.ctx = _context()
        self.progress = progress or (lambda done, total, secs: None)
        self.samples: list[tuple[str, str]] = []
        self.template_weights = [4 if t.category.startswith(("城乡建设", "劳动")) else 2 for t in TEMPLATES]
        # People who petition again, with the matter they raised (重复访).
        self.repeaters: list[
            tuple[int, int, str, int, int]
        ] = []  # petitioner, template, estate, town, petition
        self.hot_estates = self.rng.sample(ESTATES, 6)
        self.channels = [c for c, _ in CHANNEL_WEIGHTS]
        self.channel_weights = [w for _, w in CHANNEL_WEIGHTS]
        self.unit_by_id = {u.pk: u for u in Unit.objects.all()}
        self.town_by_id = {t.pk: t for t in self.ctx.towns}
        self.category_of = {}
        for template in TEMPLATES:
            top, sub = template.category.split("/")
            self.category_of[template.category] = next(
                c for c in self.ctx.ref.categories[top] if c.name == sub
            )

    def run(self) -> dict:
        began = time.monotonic()
        ids = {m: IdBlock(m) for m in (Petition, Petitioner, PetitionEvent, Deadline, Opinion, Evaluation)}
        times = sorted(
            self.start + timedelta(seconds=self.rng.uniform(0, (self.end - self.start).total_seconds()))
            for _ in range(self.n)
        )
        done = 0
        while done < self.n:
            chunk = times[done : done + self.batch]
            with transaction.atomic():
                self._write_chunk(chunk, ids)
            done += len(chunk)
            self.progress(done, self.n, time.monotonic() - began)
        self._reset_sequences()
        return {
            "petitions": self.n,
            "seconds": round(time.monotonic() - began, 1),
            "samples": self.samples[:5],
        }

    def _case_numbers(self, received: list[datetime]) -> list[str]:
        prefix, out = settings.CASE_NUMBER_PREFIX, []
        by_year: dict[int, int] = defaultdict(int)
        for r in received:
            by_year[timezone.localtime(r).year] += 1
        start_of = {}
        for year, count in by_year.items():
            seq, _ = CaseSequence.objects.get_or_create(prefix=prefix, year=year)
            CaseSequence.objects.filter(pk=seq.pk).update(last=seq.last + count)
            start_of[year] = seq.last
        for r in received:
            year = timezone.localtime(r).year
            start_of[year] += 1
            out.append(settings.CASE_NUMBER_FORMAT.format(prefix=prefix, year=year, seq=start_of[year]))
        return out

    def _write_chunk(self, received_times: list[datetime], ids: dict) -> None:
        rows = defaultdict(list)
        for received, case_number in zip(received_times, self._case_numbers(received_times), strict=True):
            self._one(received, case_number, ids, rows)
        for model in (
            Petitioner,
            Petition,
            PetitionSearch,
            PetitionPetitioner,
            PetitionLink,
            PetitionEvent,
            Deadline,
            Opinion,
            Evaluation,
        ):
            insert_rows(model, rows[model])

    def _pick_matter(self) -> tuple[int, Template, str, Unit, int | None, int | None]:
        rng = self.rng
        if self.repeaters and rng.random() < 0.12:
            petitioner_id, t_index, estate, town_id, earlier = rng.choice(self.repeaters[-5000:])
            return t_index, TEMPLATES[t_index], estate, self.town_by_id[town_id], petitioner_id, earlier
        t_index = rng.choices(range(len(TEMPLATES)), self.template_weights)[0]
        estate = rng.choice(self.hot_estates) if rng.random() < 0.25 else rng.choice(ESTATES)
        return t_index, TEMPLATES[t_index], estate, rng.choice(self.ctx.towns), None, None

    def _handling_unit(self, template: Template, town: Unit) -> Unit:
        if template.petition_class == "accusation":
            return self.ctx.ref.discipline
        if template.unit_hint in self.ctx.unit_by_hint and (template.litigation or self.rng.random() < 0.6):
            return self.ctx.unit_by_hint[template.unit_hint]
        return town

    def _one(self, received: datetime, case_number: str, ids: dict, rows) -> None:
        rng, ctx = self.rng, self.ctx
        t_index, template, estate, town, repeat_of_person, earlier = self._pick_matter()
        text = fill(template, rng, town=town.name, estate=estate)
        channel = rng.choices(self.channels, self.channel_weights)[0]
        collective = rng.random() < 0.03 or (estate in self.hot_estates and rng.random() < 0.05)
        unit = self._handling_unit(template, town)
        code = Petition.new_query_code()
        pk = ids[Petition].take()
        life = simulate(rng, received, self.end, template.petition_class)
        accusation = template.petition_class == "accusation"
        handling = self._unit_at(life, unit) if life.reached != "registered" else None
        petition = {
            "id": pk,
            "case_number": case_number,
            "channel": channel,
            "source": rng.choice(SOURCES) if channel == Channel.ONLINE else "",
            "received_at": received,
            "registered_at": received + timedelta(minutes=rng.randint(1, 60)),
            "registered_by_id": ctx.registrar_id,
            "registering_unit_id": ctx.ref.bureau.pk,
            "title": text["title"],
            "request": text["request"],
            "facts_reasons": text["facts_reasons"],
            "content": text["content"],
            "town_id": town.pk,
            "place_address": f"{town.name}{text['estate']}",
            "respondent_unit_id": town.pk if accusation else None,
            "respondent_person": person_name(rng) if accusation else "",
            "respondent_user_id": None,
            "category_id": self.category_of[template.category].pk,
            "petition_class": template.petition_class,
            "claim_route": life.claim_route,
            "is_litigation": template.litigation,
            "is_urgent": False,
            "head_count": rng.randint(5, 80) if collective else 1,
            "is_collective": collective,
            "status": life.status,
            "stage": life.stage,
            "handling_unit_id": handling.pk if handling else None,
            "handler_id": ctx.handlers.get(handling.pk) if handling else None,
            "is_assignment": life.assign,
            "is_simple": False,
            "is_extended": life.extended,
            "is_final": life.final,
            "routed_at": life.routed_at,
            "notified_at": life.accepted_at,
            "accepted_at": life.accepted_at,
            "opinion_delivered_at": life.delivered_at,
            "closed_at": life.closed_at,
            "current_due": None,
            "current_due_rule": "",
            "current_due_provisional": False,
            "is_repeat": repeat_of_person is not None,
            "is_skip_level": channel == Channel.TRANSFER_FROM_ABOVE and rng.random() < 0.5,
            "query_code_hash": query_code_hash(code),
            "query_code_enc": crypto.encrypt(code),
        }
        if len(self.samples) < 50 and rng.random() < 0.01:
            self.samples.append((case_number, code))
        rows[Petition].append(petition)
        rows[PetitionSearch].append(
            {"petition_id": pk, "tokens": document_tokens(text["title"], text["content"], words=False)}
        )
        first_petitioner = self._petitioners(petition, town, collective, repeat_of_person, rows, ids)
        if repeat_of_person is None and rng.random() < 0.3:
            self.repeaters.append((first_petitioner, t_index, estate, town.pk, pk))
        elif earlier is not None:
            rows[PetitionLink].append(
                {
                    "from_petition_id": pk,
                    "to_petition_id": earlier,
                    "kind": "same_matter",
                    "created_at": received,
                    "created_by_id": None,
                }
            )
        self._events(petition, life, unit, rows, ids)
        self._deadlines(petition, life, rows, ids)

    def _unit_at(self, life: Life, unit: Unit) -> Unit:
        if life.reached == "review":
            return self.unit_by_id.get(unit.parent_id, unit)
        if life.reached == "rereview":
            parent = self.unit_by_id.get(unit.parent_id, unit)
            return self.unit_by_id.get(parent.parent_id, parent)
        return unit

    def _petitioners(
        self, petition: dict, town: Unit, collective: bool, repeat_of: int | None, rows, ids
    ) -> int:
        rng = self.rng
        count = rng.randint(3, 5) if collective else 1
        first = None
        for order in range(count):
            if order == 0 and repeat_of is not None:
                petitioner_id = repeat_of
            else:
                petitioner_id = ids[Petitioner].take()
                rows[Petitioner].append(_petitioner_row(rng, petitioner_id, town, petition["received_at"]))
            first = first or petitioner_id
            rows[PetitionPetitioner].append(
                {
                    "petition_id": petition["id"],
                    "petitioner_id": petitioner_id,
                    "is_representative": collective,
                    "order": order,
                }
            )
        return first

    def _events(self, petition: dict, life: Life, unit: Unit, rows, ids) -> None:
        ctx = self.ctx
        current_unit = unit
        bureau_actions = {"register", "transfer", "assign", "merge", "refuse_final", "objection_dismissed"}
        unit_actions = {"accept", "extend", "draft_opinion", "issue_opinion", "conclude", "divert", "object"}
        for step in life.steps:
            actor, actor_unit, data = None, None, dict(step.data)
            if step.action in bureau_actions or (step.action == "reject" and petition["routed_at"] is None):
                actor, actor_unit = ctx.registrar_id, ctx.ref.bureau.pk
            if step.action in {"transfer", "assign"}:
                data.update(unit_id=unit.pk, unit=unit.name)
            if step.action in {"request_review", "request_rereview"}:
                current_unit = self.unit_by_id.get(current_unit.parent_id, current_unit)
                data.update(unit_id=current_unit.pk, unit=current_unit.name)
            if step.action in unit_actions or (step.action == "reject" and petition["routed_at"] is not None):
                role_map = ctx.leaders if step.action in {"extend", "issue_opinion"} else ctx.handlers
                actor, actor_unit = role_map.get(current_unit.pk), current_unit.pk
            label = "" if actor else ("信访人" if step.action in PETITIONER_ACTIONS else "系统")
            rows[PetitionEvent].append(
                {
                    "id": ids[PetitionEvent].take(),
                    "petition_id": petition["id"],
                    "action": step.action,
                    "actor_id": actor,
                    "actor_label": label,
                    "unit_id": actor_unit,
                    "at": step.at,
                    "from_status": step.from_status,
                    "to_status": step.to_status,
                    "reason": step.reason,
                    "data": data,
                    "documents": [],
                    "is_public": step.action in PUBLIC_ACTIONS,
                }
            )
            if step.action == "issue_opinion":
                text, basis = OPINION_TEXT[step.data["outcome"]]
                rows[Opinion].append(
                    {
                        "id": ids[Opinion].take(),
                        "petition_id": petition["id"],
                        "stage": step.data["stage"],
                        "unit_id": current_unit.pk,
                        "outcome": step.data["outcome"],
                        "request": petition["request"],
                        "facts_reasons": petition["facts_reasons"],
                        "opinion_text": text,
                        "legal_basis": basis,
                        "drafted_by_id": ctx.handlers.get(current_unit.pk) or ctx.registrar_id,
                        "drafted_at": step.at - timedelta(days=2),
                        "approved_by_id": ctx.leaders.get(current_unit.pk),
                        "approved_at": step.at,
                        "delivered_at": step.at,
                        "hearing_held": False,
                        "is_published": False,
                    }
                )
            if step.action == "evaluate":
                rows[Evaluation].append(
                    {
                        "id": ids[Evaluation].take(),
                        "petition_id": petition["id"],
                        "stage": "handling",
                        "rating": step.data["rating"],
                        "comment": "",
                        "unit_id": unit.pk,
                        "at": step.at,
                    }
                )

    def _deadline(self, petition: dict, rule, start, *, met=None, days=None, extension=0, ids=None) -> dict:
        spec = _spec(rule)
        start_day = timezone.localdate(start)
        due = _due(rule, start_day, days)
        if extension:
            extended = _due(DeadlineRule.EXTEND, due.date, extension)
            due = type(due)(extended.date, due.provisional or extended.provisional)
        return {
            "id": ids[Deadline].take(),
            "petition_id": petition["id"],
            "rule": str(rule),
            "start": start_day,
            "days": days or spec.days,
            "working_days": spec.unit == "working",
            "extension_days": extension,
            "due": due.date,
            "provisional": due.provisional,
            "met_at": met,
            "cancelled": False,
            "soon_warned_at": None,
            "overdue_warned_at": None,
        }

    def _deadlines(self, petition: dict, life: Life, rows, ids) -> None:
        mine: list[dict] = []
        add = mine.append
        add(
            self._deadline(
                petition,
                DeadlineRule.ROUTE,
                petition["received_at"],
                met=life.routed_at or life.closed_at,
                ids=ids,
            )
        )
        if life.routed_at:
            add(
                self._deadline(
                    petition,
                    DeadlineRule.NOTIFY,
                    life.routed_at,
                    met=life.accepted_at or life.closed_at,
                    ids=ids,
                )
            )
            if life.assign:
                add(
                    self._deadline(
                        petition, DeadlineRule.ASSIGN_REPORT, life.routed_at, met=life.closed_at, ids=ids
                    )
                )
        if life.accepted_at:
            concluded = next(
                (s.at for s in life.steps if s.action in {"issue_opinion", "conclude", "divert"}), None
            )
            add(
                self._deadline(
                    petition,
                    DeadlineRule.CONCLUDE,
                    life.accepted_at,
                    met=concluded,
                    extension=30 if life.extended else 0,
                    ids=ids,
                )
            )
        stage_start = next(
            (s.at for s in reversed(life.steps) if s.action in {"request_review", "request_rereview"}), None
        )
        if stage_start and life.stage != Stage.INITIAL:
            rule = DeadlineRule.REVIEW_ANSWER if life.stage == Stage.REVIEW else DeadlineRule.REREVIEW_ANSWER
            answered = life.delivered_at if life.delivered_at and life.delivered_at > stage_start else None
            add(self._deadline(petition, rule, stage_start, met=answered, ids=ids))
        if life.status == Status.OPINION_ISSUED:
            rule = (
                DeadlineRule.REVIEW_REQUEST if life.stage == Stage.INITIAL else DeadlineRule.REREVIEW_REQUEST
            )
            add(self._deadline(petition, rule, life.delivered_at, ids=ids))
        open_ones = [d for d in mine if d["met_at"] is None]
        if life.status in OPEN_STATUSES and open_ones:
            first = min(open_ones, key=lambda d: d["due"])
            petition.update(
                current_due=first["due"],
                current_due_rule=first["rule"],
                current_due_provisional=first["provisional"],
            )
        else:
            for deadline in open_ones:
                deadline["cancelled"] = True
        rows[Deadline].extend(mine)

    def _reset_sequences(self) -> None:
        from django.core.management.color import no_style

        models = [
            Petition,
            Petitioner,
            PetitionEvent,
            Deadline,
            Opinion,
            Evaluation,
            PetitionLink,
            PetitionPetitioner,
        ]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
