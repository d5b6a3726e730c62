"""Bulk generator of realistic synthetic petitions (`xinfang generate`).

Writes rows directly with bulk_create in batches (the workflow actions are
for real work: at a million petitions they would take hours), but every row
follows the same rules: due dates come from the deadline engine, statuses
from a simulated life (lifecycle.py), events for every step.

The petitions spread over the city's bureaus (issue 14): each district bureau
registers matters of its own towns; the city bureau registers visits and letters
about the districts' places, handles those within its departments' powers and
sends the others down (交办 / 转送) to the district bureau, which numbers the
matter in its own sequence (a Custody row) and routes it on.  Case numbers are
gapless per bureau prefix and year, as `intake.next_case_number` keeps them.
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
from xinfang.petitions.actions.intake import case_prefix
from xinfang.petitions.choices import OPEN_STATUSES, Channel, OnlineSource, Stage, Status
from xinfang.petitions.models import (
    PUBLIC_ACTIONS,
    CaseSequence,
    Custody,
    CustodyKind,
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
from .reference import District, Reference, ensure_reference
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
# Where matters are registered: the share of each bureau (by unit code); 海州区 the largest, as before.
BUREAU_SHARES = {"320700-XF": 12, "320706-XF": 55, "320703-XF": 15, "320707-XF": 18}
# Of the city's matters about a district's place: how many the city's own departments keep
# (when one is competent), how many go down as 交办 rather than 转送, and repeat visitors
# who skip their district's bureau (越级) instead of going back to it.
CITY_KEEPS = 0.5
CITY_ASSIGNS = 0.5
REPEAT_SKIPS = 0.2
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
class Desk:
    """One bureau's registration desk: who registers there and which bodies handle its matters."""

    bureau: Unit
    prefix: str
    registrar_id: int
    unit_by_hint: dict[str, Unit]
    discipline: Unit
    towns: list[Unit]  # a district's towns; none for the city (its matters concern the districts' places)
    share: int


@dataclass
class Context:
    ref: Reference
    unit_by_hint: dict[str, Unit]  # 海州区's
    handlers: dict[int, int]
    leaders: dict[int, int]
    registrar_id: int  # 海州区's
    towns: list[Unit]  # every district's towns
    city: Desk
    districts: list[Desk]
    desk_of_town: dict[int, Desk]


def _hints(units: list[Unit], discipline: Unit) -> dict[str, Unit]:
    hint = {u.short_name: u for u in units}
    hint["纪委监委"] = discipline
    return hint


def _context() -> Context:
    ref = ensure_reference()
    handlers, leaders = {}, {}
    for user in User.objects.filter(role__in=[Role.HANDLER, Role.UNIT_LEADER]).order_by("pk"):
        target = handlers if user.role == Role.HANDLER else leaders
        target.setdefault(user.unit_id, user.pk)
    registrars = {}
    for user in User.objects.filter(role=Role.REGISTRAR, unit__in=ref.bureaus).order_by("-pk"):
        registrars[user.unit_id] = user.pk
    if any(b.pk not in registrars for b in ref.bureaus):
        from .reference import ensure_accounts

        ensure_accounts(ref)
        return _context()

    def district_desk(d: District) -> Desk:
        return Desk(
            d.bureau,
            case_prefix(d.bureau),
            registrars[d.bureau.pk],
            _hints([*d.departments, *d.political_legal], d.discipline),
            d.discipline,
            d.towns,
            BUREAU_SHARES.get(d.bureau.code, 10),
        )

    districts = [district_desk(d) for d in ref.districts]
    city = Desk(
        ref.city_bureau,
        case_prefix(ref.city_bureau),
        registrars[ref.city_bureau.pk],
        _hints(ref.city_departments, ref.city_discipline),
        ref.city_discipline,
        [],
        BUREAU_SHARES.get(ref.city_bureau.code, 10),
    )
    haizhou = districts[0]
    return Context(
        ref,
        haizhou.unit_by_hint,
        handlers,
        leaders,
        haizhou.registrar_id,
        [t for d in districts for t in d.towns],
        city,
        districts,
        {t.pk: d for d in districts for t in d.towns},
    )


@dataclass
class Route:
    """Where one generated matter goes: the desk that registers it, the desk that
    holds it, and the move down between them (the city's 交办 / 转送)."""

    registered_at: Desk
    held_at: Desk
    move: str | None = None  # CustodyKind of the move down, if any
    moved_at: datetime | None = None


class IdBlock:
    """Primary keys assigned here so related rows can be built before insert."""

    def __init__(self, model) -> None:
        self.next = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _id_number(rng: random.Random, area: str = "320706") -> str:
    birth = datetime(1940, 1, 1) + timedelta(days=rng.randint(0, 60 * 365))
    first17 = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_check_digit(first17)


def _petitioner_row(rng: random.Random, pk: int, town: Unit, created_at: datetime) -> dict:
    id_number, phone = _id_number(rng, town.code[:6]), _phone(rng)
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
        self.samples: list[tuple[dict, str]] = []  # (petition row, query code): numbered at the chunk's end
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
        self.desks = [self.ctx.city, *self.ctx.districts]
        self.desk_weights = [d.share for d in self.desks]
        self.district_weights = [d.share for d in self.ctx.districts]
        # Case numbers wanted in the current chunk: (time, prefix, [(row, key), …]).
        self.numbers: list[tuple[datetime, str, list[tuple[dict, str]]]] = []
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
            "samples": [(row["case_number"], code) for row, code in self.samples[:5]],
        }

    def _number(self, at: datetime, prefix: str, *targets: tuple[dict, str]) -> None:
        self.numbers.append((at, prefix, list(targets)))

    def _take_numbers(self) -> None:
        """Number the chunk's registrations and arrivals in time order, per bureau prefix
        and year, continuing each CaseSequence row (gapless, as the real desk numbers)."""
        self.numbers.sort(key=lambda item: item[0])
        wanted: dict[tuple[str, int], int] = defaultdict(int)
        keyed = []
        for at, prefix, targets in self.numbers:
            key = (prefix, timezone.localtime(at).year)
            wanted[key] += 1
            keyed.append((key, targets))
        last = {}
        for (prefix, year), count in wanted.items():
            seq, _ = CaseSequence.objects.get_or_create(prefix=prefix, year=year)
            CaseSequence.objects.filter(pk=seq.pk).update(last=seq.last + count)
            last[(prefix, year)] = seq.last
        for key, targets in keyed:
            last[key] += 1
            number = settings.CASE_NUMBER_FORMAT.format(prefix=key[0], year=key[1], seq=last[key])
            for row, field in targets:
                row[field] = number
        self.numbers = []

    def _write_chunk(self, received_times: list[datetime], ids: dict) -> None:
        rows = defaultdict(list)
        for received in received_times:
            self._one(received, ids, rows)
        self._take_numbers()
        numbers = {row["id"]: row["case_number"] for row in rows[Petition]}
        for row in rows[Custody]:
            row["petition_number"] = numbers[row["petition_id"]]
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
            Custody,
        ):
            insert_rows(model, rows[model])

    def _pick_matter(self) -> tuple[int, Template, str, Unit, int | None, int | None, Desk]:
        """The matter, its town, and the desk the petitioner brings it to."""
        rng = self.rng
        if self.repeaters and rng.random() < 0.12:
            petitioner_id, t_index, estate, town_id, earlier = rng.choice(self.repeaters[-5000:])
            town = self.town_by_id[town_id]
            # Back to the district's desk, or past it to the city's (越级).
            desk = self.ctx.city if rng.random() < REPEAT_SKIPS else self.ctx.desk_of_town[town.pk]
            return t_index, TEMPLATES[t_index], estate, town, petitioner_id, earlier, desk
        t_index = rng.choices(range(len(TEMPLATES)), self.template_weights)[0]
        estate = rng.choice(self.hot_estates) if rng.random() < 0.25 else rng.choice(ESTATES)
        desk = rng.choices(self.desks, self.desk_weights)[0]
        area = desk if desk.towns else rng.choices(self.ctx.districts, self.district_weights)[0]
        return t_index, TEMPLATES[t_index], estate, rng.choice(area.towns), None, None, desk

    def _route(self, desk: Desk, template: Template, town: Unit) -> Route:
        """A district desk holds its own matters.  The city keeps a matter its own
        departments are competent for (about half of them), else sends it down to
        the district of the place."""
        if desk.towns:
            return Route(desk, desk)
        district = self.ctx.desk_of_town[town.pk]
        keeps = template.petition_class == "accusation" or (
            template.unit_hint in desk.unit_by_hint and self.rng.random() < CITY_KEEPS
        )
        if keeps:
            return Route(desk, desk)
        kind = (
            CustodyKind.FROM_ABOVE_ASSIGN
            if self.rng.random() < CITY_ASSIGNS
            else CustodyKind.FROM_ABOVE_TRANSFER
        )
        return Route(desk, district, move=kind)

    def _handling_unit(self, template: Template, town: Unit, desk: Desk | None = None) -> Unit:
        desk = desk or self.ctx.desk_of_town[town.pk]
        if template.petition_class == "accusation":
            return desk.discipline
        if template.unit_hint in desk.unit_by_hint and (
            not desk.towns or template.litigation or self.rng.random() < 0.6
        ):
            return desk.unit_by_hint[template.unit_hint]
        return town

    def _moved_at(self, life: Life) -> datetime | None:
        """When the city's desk sent the matter down: after registering it, before the
        district's first step; None when the generated period ends first."""
        registered = life.steps[0].at
        if len(life.steps) > 1:
            return registered + (life.steps[1].at - registered) * self.rng.uniform(0.2, 0.6)
        moved = registered + timedelta(hours=self.rng.uniform(1, 24))
        return moved if moved <= self.end else None

    def _one(self, received: datetime, ids: dict, rows) -> None:
        rng = self.rng
        t_index, template, estate, town, repeat_of_person, earlier, desk = self._pick_matter()
        text = fill(template, rng, town=town.name, estate=estate)
        channel = rng.choices(self.channels, self.channel_weights)[0]
        collective = rng.random() < 0.03 or (estate in self.hot_estates and rng.random() < 0.05)
        route = self._route(desk, template, town)
        unit = self._handling_unit(template, town, route.held_at)
        code = Petition.new_query_code()
        pk = ids[Petition].take()
        life = simulate(rng, received, self.end, template.petition_class)
        if route.move is not None:
            route.moved_at = self._moved_at(life)
            if route.moved_at is None:  # still at the city's desk when the period ends
                route = Route(desk, desk)
        accusation = template.petition_class == "accusation"
        handling = self._unit_at(life, unit) if life.reached != "registered" else None
        # 越级: at the city's window about a district's place, past the district's bureau.
        skipped = desk is self.ctx.city and (route.move is not None or earlier is not None)
        petition = {
            "id": pk,
            "case_number": None,
            "channel": channel,
            "source": rng.choice(SOURCES) if channel == Channel.ONLINE else "",
            "received_at": received,
            "registered_at": received + timedelta(minutes=rng.randint(1, 60)),
            "registered_by_id": route.registered_at.registrar_id,
            "registering_unit_id": route.registered_at.bureau.pk,
            "bureau_id": route.held_at.bureau.pk,
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
            "handler_id": self.ctx.handlers.get(handling.pk) if handling else None,
            "is_assignment": life.assign or route.move == CustodyKind.FROM_ABOVE_ASSIGN,
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
            "is_skip_level": skipped or (channel == Channel.TRANSFER_FROM_ABOVE and rng.random() < 0.5),
            "query_code_hash": query_code_hash(code),
            "query_code_enc": crypto.encrypt(code),
        }
        self._number(received, route.registered_at.prefix, (petition, "case_number"))
        if len(self.samples) < 50 and rng.random() < 0.01:
            self.samples.append((petition, code))
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
        self._events(petition, life, unit, route, rows, ids)
        self._deadlines(petition, life, rows, ids, route)

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

    def _move_down(self, petition: dict, route: Route, rows, ids) -> None:
        """The city's 交办 / 转送 to the district's bureau, as moves.move_down writes it:
        the event at the city's desk and the Custody row with the district's own number."""
        upper, lower = route.registered_at, route.held_at
        assign = route.move == CustodyKind.FROM_ABOVE_ASSIGN
        data = {"unit_id": lower.bureau.pk, "unit": lower.bureau.name, "report_days": None, "to_bureau": True}
        custody = {
            "petition_id": petition["id"],
            "unit_id": lower.bureau.pk,
            "kind": str(route.move),
            "from_unit_id": upper.bureau.pk,
            "case_number": None,
            "started_at": route.moved_at,
            "ended_at": None,
        }
        self._number(route.moved_at, lower.prefix, (custody, "case_number"), (data, "case_number"))
        rows[Custody].append(custody)
        rows[PetitionEvent].append(
            {
                "id": ids[PetitionEvent].take(),
                "petition_id": petition["id"],
                "action": "assign" if assign else "transfer",
                "actor_id": upper.registrar_id,
                "actor_label": "",
                "unit_id": upper.bureau.pk,
                "at": route.moved_at,
                "from_status": Status.REGISTERED,
                "to_status": Status.REGISTERED,
                "reason": "属地管理，请依法处理并报告结果" if assign else "属地管理，请依法处理",
                "data": data,
                "documents": [],
                "is_public": ("assign" if assign else "transfer") in PUBLIC_ACTIONS,
            }
        )

    def _events(self, petition: dict, life: Life, unit: Unit, route: Route, rows, ids) -> None:
        ctx = self.ctx
        current_unit = unit
        bureau_actions = {"transfer", "assign", "merge", "refuse_final", "objection_dismissed"}
        unit_actions = {"accept", "extend", "draft_opinion", "issue_opinion", "conclude", "divert", "object"}
        for step in life.steps:
            actor, actor_unit, data = None, None, dict(step.data)
            if step.action == "register":
                actor, actor_unit = route.registered_at.registrar_id, route.registered_at.bureau.pk
            elif step.action in bureau_actions or (step.action == "reject" and petition["routed_at"] is None):
                actor, actor_unit = route.held_at.registrar_id, route.held_at.bureau.pk
            if step.action in {"transfer", "assign"}:
                data.update(unit_id=unit.pk, unit=unit.name)
            if step.action in {"request_review", "request_rereview"}:
                # The unit whose opinion goes up for review keeps reading the matter (moves.keep_former_handler).
                rows[Custody].append(
                    {
                        "petition_id": petition["id"],
                        "unit_id": current_unit.pk,
                        "kind": CustodyKind.HANDLED.value,
                        "from_unit_id": None,
                        "case_number": None,
                        "started_at": step.at,
                        "ended_at": step.at,
                    }
                )
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
            if step.action == "register" and route.move is not None:
                self._move_down(petition, route, rows, ids)
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
                        "drafted_by_id": ctx.handlers.get(current_unit.pk) or route.held_at.registrar_id,
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

    def _deadlines(self, petition: dict, life: Life, rows, ids, route: Route | None = None) -> None:
        mine: list[dict] = []
        add = mine.append
        moved_at = route.moved_at if route is not None and route.move is not None else None
        if moved_at is not None:
            # The city's desk routed it down; the district's desk routes it on within 15 日 of
            # receiving it, and for a 交办 owes the city the 办结报告 (moves.move_down).
            add(self._deadline(petition, DeadlineRule.ROUTE, petition["received_at"], met=moved_at, ids=ids))
            if route.move == CustodyKind.FROM_ABOVE_ASSIGN:
                add(
                    self._deadline(
                        petition, DeadlineRule.ASSIGN_REPORT, moved_at, met=life.closed_at, ids=ids
                    )
                )
        add(
            self._deadline(
                petition,
                DeadlineRule.ROUTE,
                moved_at or petition["received_at"],
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
            if life.assign and not (moved_at and route.move == CustodyKind.FROM_ABOVE_ASSIGN):
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
            Custody,
        ]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
