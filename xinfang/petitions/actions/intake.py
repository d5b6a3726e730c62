"""Registration (登记) of a new petition from any channel."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.calendars.rules import DeadlineRule
from xinfang.lib.crypto import lookup_hash
from xinfang.lib.idcard import is_valid_id_number, is_valid_phone
from xinfang.units.bureaus import bureau_for
from xinfang.units.models import Category, Unit, UnitKind

from .. import limits
from ..choices import Channel, OnlineSource, PetitionClass, PetitionerKind, Status
from ..deadlines import current_due_values, new_deadline
from ..errors import ActionError
from ..models import (
    CaseSequence,
    EventAction,
    IdempotencyKey,
    Petition,
    Petitioner,
    PetitionPetitioner,
    name_address_hash,
)
from ..signals import petition_registered
from ._core import record_event

MAX_REPRESENTATIVES = 5  # Art. 20③
# (field, label, limit, required): one limit for every channel (limits.py).
TEXT_FIELDS = [
    ("title", "标题", limits.TITLE_MAX_CHARS, True),
    ("request", "诉求", limits.REQUEST_MAX_CHARS, False),
    ("facts_reasons", "事实和理由", limits.FACTS_MAX_CHARS, False),
    ("content", "信访内容", limits.CONTENT_MAX_CHARS, True),
]


@dataclass
class PetitionerInput:
    name: str
    kind: str = PetitionerKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    is_representative: bool = False


@dataclass
class PetitionInput:
    channel: str
    title: str
    content: str
    petitioners: list[PetitionerInput]
    received_at: datetime | None = None
    source: str = ""
    request: str = ""
    facts_reasons: str = ""
    town_id: int | None = None
    place_address: str = ""
    respondent_unit_id: int | None = None
    respondent_person: str = ""
    category_id: int | None = None
    petition_class: str = ""
    is_litigation: bool = False
    is_urgent: bool = False
    head_count: int | None = None
    bureau_id: int | None = None  # the portal: the bureau the petitioner chose
    extra: dict = field(default_factory=dict)


# Names that say the writer is unknown (匿名信 and the like).
UNKNOWN_NAMES = {"匿名", "匿名者", "匿名信访人", "匿名人", "无名氏", "佚名", "不详", "不愿透露", "某某"}


def name_is_clear(name: str) -> bool:
    name = (name or "").strip()
    return bool(name) and name not in UNKNOWN_NAMES and not name.startswith("匿名")


def can_be_told(data: PetitionInput) -> bool:
    """Art. 23②: the written notice is owed unless the petitioner's name and
    address are unclear: some petitioner has a clear name and somewhere to
    send it (an address, or the portal for an online petition)."""
    return any(
        name_is_clear(p.name) and ((p.address or "").strip() or data.channel == Channel.ONLINE)
        for p in data.petitioners
    )


def default_bureau() -> Unit:
    """The installation's only petition bureau.  With several bureaus there is no
    default: a petition is registered at the bureau of the place it concerns
    (`bureau_for_input`), never silently at the top of the tree."""
    active = list(Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("path")[:2])
    if not active:
        raise ActionError("no_bureau", _("系统尚未配置信访部门，请联系管理员"))
    if len(active) > 1:
        raise ActionError(
            "invalid", _("请选择受理的信访部门"), fields={"bureau": _("请选择事项所在地或受理的信访部门")}
        )
    return active[0]


def bureau_for_input(data: PetitionInput) -> Unit:
    """Where a petition that no staff member registered (the portal) is registered:
    the bureau the petitioner chose, else the bureau of the town it concerns, else
    the installation's only bureau."""
    if data.bureau_id is not None:
        chosen = Unit.objects.filter(pk=data.bureau_id, kind=UnitKind.BUREAU, is_active=True).first()
        if chosen is None:
            raise ActionError("invalid", _("所选信访部门不存在"), fields={"bureau": _("所选信访部门不存在")})
        return chosen
    if data.town_id is not None:
        found = bureau_for(Unit.objects.filter(pk=data.town_id).first())
        if found is not None:
            return found
    return default_bureau()


def validate_input(data: PetitionInput) -> dict[str, str]:
    """Field-level errors in Chinese; an empty dict means valid."""
    errors: dict[str, str] = {}
    if data.channel not in Channel.values:
        errors["channel"] = _("请选择信访渠道")
    if data.source and data.source not in OnlineSource.values:
        errors["source"] = _("来源不正确")
    for key, label, limit, required in TEXT_FIELDS:
        if problem := limits.text_problem(getattr(data, key), label=label, limit=limit, required=required):
            errors[key] = problem
    if data.petition_class and data.petition_class not in PetitionClass.values:
        errors["petition_class"] = _("类别不正确")
    if not data.petitioners:
        errors["petitioners"] = _("请至少填写一名信访人")
    for i, person in enumerate(data.petitioners):
        prefix = f"petitioners.{i}"
        if not (person.name or "").strip():
            errors[f"{prefix}.name"] = _("请填写信访人姓名（名称）")
        if person.kind not in PetitionerKind.values:
            errors[f"{prefix}.kind"] = _("信访人类型不正确")
        if (
            person.id_number
            and person.kind == PetitionerKind.PERSON
            and not is_valid_id_number(person.id_number)
        ):
            errors[f"{prefix}.id_number"] = _("身份证号码格式或校验位不正确")
        if person.phone and not is_valid_phone(person.phone):
            errors[f"{prefix}.phone"] = _("电话号码格式不正确")
        if problem := limits.email_problem(person.email):
            errors[f"{prefix}.email"] = problem
    representatives = sum(1 for p in data.petitioners if p.is_representative)
    if representatives > MAX_REPRESENTATIVES:
        errors["petitioners"] = _(
            "多人走访提出共同的信访事项，推选代表不得超过5人（《信访工作条例》第二十条）"
        )
    if data.channel == Channel.VISIT and len(data.petitioners) > MAX_REPRESENTATIVES and representatives == 0:
        errors["petitioners"] = _(
            "多人走访应当推选代表，代表人数不得超过5人（《信访工作条例》第二十条），请标记代表"
        )
    head_count = data.head_count or len(data.petitioners)
    if head_count < len(data.petitioners):
        errors["head_count"] = _("人数不能少于登记的信访人数")
    if head_count > 100000:
        errors["head_count"] = _("人数不正确")
    for key, model in (("town_id", Unit), ("respondent_unit_id", Unit), ("category_id", Category)):
        value = getattr(data, key)
        if value is not None and not model.objects.filter(pk=value).exists():
            errors[key.removesuffix("_id")] = _("所选项目不存在")
    if problem := limits.received_at_problem(data.received_at):
        errors["received_at"] = problem
    return errors


def case_prefix(bureau: Unit | None) -> str:
    """A bureau's case-number prefix, set in the admin (the installation's default otherwise)."""
    return (bureau.case_prefix if bureau is not None else "") or settings.CASE_NUMBER_PREFIX


def next_case_number(received_at: datetime, bureau: Unit | None = None) -> str:
    """The next number in `bureau`'s sequence for the year: gapless per bureau and
    year, because a number is taken in the registering transaction, last."""
    year = timezone.localtime(received_at).year
    prefix = case_prefix(bureau)
    seq = _take_number(prefix, year)
    if seq is None:  # the bureau's first matter of the year: create the row, then take
        CaseSequence.objects.get_or_create(prefix=prefix, year=year)
        seq = _take_number(prefix, year)
    return settings.CASE_NUMBER_FORMAT.format(prefix=prefix, year=year, seq=seq)


def _take_number(prefix: str, year: int) -> int | None:
    """Increment the sequence row and read the new value in one statement (PostgreSQL and
    SQLite ≥ 3.35 both have RETURNING); the row stays locked until the transaction ends,
    as with SELECT … FOR UPDATE, so numbers stay gapless.  None when the row is missing."""
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "last" = "last" + 1 WHERE "prefix" = %s AND "year" = %s RETURNING "last"',
            [prefix, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def find_or_create_petitioner(person: PetitionerInput) -> Petitioner:
    """Reuse a known petitioner found by ID number, else by phone and name, else by name
    and address (the earliest of each), looked up in one query."""
    name = person.name.strip()
    id_hash = lookup_hash(person.id_number, purpose="id") if person.id_number else ""
    phone_hash = lookup_hash(person.phone, purpose="phone") if person.phone else ""
    address_key = name_address_hash(person.name, person.address) if person.address else ""
    wanted = [
        condition
        for present, condition in (
            (id_hash, Q(id_number_hash=id_hash)),
            (phone_hash, Q(phone_hash=phone_hash, name=name)),
            (address_key, Q(name_address_hash=address_key)),
        )
        if present
    ]
    found = list(Petitioner.objects.filter(reduce(or_, wanted)).order_by("pk")) if wanted else []
    existing = (
        next((p for p in found if id_hash and p.id_number_hash == id_hash), None)
        or next((p for p in found if phone_hash and p.phone_hash == phone_hash and p.name == name), None)
        or next((p for p in found if address_key and p.name_address_hash == address_key), None)
    )
    petitioner = existing or Petitioner(kind=person.kind, name=name)
    changed = existing is None
    if person.id_number and not petitioner.id_number_hash:
        petitioner.set_id_number(person.id_number)
        changed = True
    if person.phone and not petitioner.phone_hash:
        petitioner.set_phone(person.phone)
        changed = True
    if person.address and not petitioner.address_enc:
        petitioner.set_address(person.address)
        changed = True
    if person.email and not petitioner.email:
        petitioner.email = person.email
        changed = True
    if changed:
        petitioner.save()
    return petitioner


@transaction.atomic
def petition_register(*, actor=None, data: PetitionInput, actor_label: str = "") -> Petition:
    """Register a petition.  At a petition bureau it waits to be routed within
    15 日 (Art. 22); at another unit (received directly, Art. 23) that unit
    handles it and must tell the petitioner within 15 日.  The plain query code
    is set on the returned object as `query_code` (shown once, printed on the
    rights card)."""
    return _register(actor=actor, data=data, actor_label=actor_label)


def _register(
    *,
    actor,
    data: PetitionInput,
    actor_label: str = "",
    before_number: Callable[[Petition], None] | None = None,
) -> Petition:
    """petition_register's work, in the caller's transaction (no savepoint of its own).
    `before_number(petition)` runs once every row but the number is written."""
    errors = validate_input(data)
    if errors:
        raise ActionError("invalid", _("提交的信息有误，请按提示修改"), fields=errors)
    if actor is not None and getattr(actor, "is_authenticated", False):
        if actor.unit is None or actor.role not in {
            "registrar",
            "bureau_leader",
            "handler",
            "unit_leader",
            "admin",
        }:
            from ..errors import Forbidden

            raise Forbidden(_("您无权登记信访事项"))
        registering_unit = actor.unit
        bureau = bureau_for(registering_unit)
    else:
        actor = None
        registering_unit = bureau = bureau_for_input(data)
    at_bureau = registering_unit.kind == UnitKind.BUREAU
    received_at = data.received_at or timezone.now()
    code = Petition.new_query_code()
    petition = Petition(
        # The real number is taken last (see below); a unique placeholder until then.
        case_number=f"TMP-{uuid.uuid4().hex}",
        channel=data.channel,
        source=data.source,
        received_at=received_at,
        registered_by=actor,
        registering_unit=registering_unit,
        bureau=bureau,
        title=data.title.strip(),
        request=data.request.strip(),
        facts_reasons=data.facts_reasons.strip(),
        content=data.content.strip(),
        town_id=data.town_id,
        place_address=data.place_address.strip(),
        respondent_unit_id=data.respondent_unit_id,
        respondent_person=data.respondent_person.strip(),
        category_id=data.category_id,
        petition_class=data.petition_class,
        is_litigation=data.is_litigation,
        is_urgent=data.is_urgent,
        head_count=data.head_count or len(data.petitioners),
        status=Status.REGISTERED if at_bureau else Status.ROUTED,
        handling_unit=None if at_bureau else registering_unit,
        routed_at=None if at_bureau else received_at,
    )
    petition.is_collective = petition.head_count >= MAX_REPRESENTATIVES
    petition.set_query_code(code)
    # The one deadline a new petition has (Art. 22 at a bureau, Art. 23 elsewhere) is
    # computed first, so its due date goes into the petition's row with the insert.
    if at_bureau:
        deadline = new_deadline(DeadlineRule.ROUTE, received_at)
    elif can_be_told(data):
        deadline = new_deadline(DeadlineRule.NOTIFY, received_at)
    else:
        deadline = None
    for key, value in current_due_values(deadline).items():
        setattr(petition, key, value)
    petition.save()
    people = [find_or_create_petitioner(person) for person in data.petitioners]
    PetitionPetitioner.objects.bulk_create(
        PetitionPetitioner(
            petition=petition, petitioner=found, is_representative=person.is_representative, order=order
        )
        for order, (person, found) in enumerate(zip(data.petitioners, people, strict=True))
    )
    # The petitioners as registered, in order: the registration message is queued from
    # them in this transaction once the number is taken (petition_registered below), not
    # by the event's after-commit hook (notifications.events).
    petition.registered_people = people
    petition.registering = True
    if deadline is not None:
        deadline.petition = petition
        deadline.save(force_insert=True)
    event = record_event(
        petition,
        action=EventAction.REGISTER,
        actor=actor,
        actor_label=actor_label or ("" if actor else "信访人"),
        to_status=petition.status,
        data={"channel": data.channel, "source": data.source},
        at=timezone.now(),
    )
    if before_number is not None:
        before_number(petition)
    # Taking the number locks the year's sequence row until commit: do it as the
    # last write so concurrent registrations wait for each other as briefly as possible.
    petition.case_number = next_case_number(received_at, bureau)
    Petition.objects.filter(pk=petition.pk).update(case_number=petition.case_number)
    petition.query_code = code
    # The registration message needs the number; it is queued in this transaction
    # (notifications.events.queue_registration).
    petition.registering = False
    petition_registered.send(sender=Petition, petition=petition, event=event)
    return petition


def request_fingerprint(payload: dict) -> str:
    import json

    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _replay(existing: IdempotencyKey, fingerprint: str) -> tuple[Petition, bool]:
    if existing.request_hash != fingerprint:
        raise ActionError("idempotency_conflict", _("同一幂等键已用于不同的请求内容"))
    return existing.petition, False


def _stored_key(actor, key: str) -> IdempotencyKey | None:
    # user=None matches the portal's keys (user IS NULL).  The petition is loaded only on a
    # replay (existing.petition): every first request asks, and almost none finds one.
    return IdempotencyKey.objects.filter(user=actor, key=key).first()


def petition_register_idempotent(
    *,
    actor,
    data: PetitionInput,
    key: str,
    fingerprint: str,
    actor_label: str = "",
    then: Callable[[Petition], None] | None = None,
) -> tuple[Petition, bool]:
    """Register once per (actor, key).  Returns (petition, created).

    `actor` None is the portal: its keys come from the submission tokens of the
    rendered forms.  A retry with the same key and body returns the first
    petition; the same key with a different body is refused.  `then(petition)`
    runs in the registration's transaction before the case number is taken, so the
    sequence row is not locked while it works (the portal's attachments: hashing and
    writing the files); the petition has no number yet.

    The key is claimed first, inside the registration's transaction: a
    concurrent request with the same key waits on the unique index until the
    first one commits (and then answers with its petition) or rolls back (and
    then registers itself), so the loser never does the work twice.
    """
    existing = _stored_key(actor, key)
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(user=actor, key=key, request_hash=fingerprint)

            def before_number(petition: Petition) -> None:
                IdempotencyKey.objects.filter(pk=claim.pk).update(petition=petition)
                if then is not None:
                    then(petition)

            petition = _register(actor=actor, data=data, actor_label=actor_label, before_number=before_number)
            return petition, True
    except IntegrityError:
        existing = _stored_key(actor, key)
        if existing is None:  # not the key: some other constraint
            raise
        return _replay(existing, fingerprint)


class _Unclaimed(Exception):
    pass


def idempotency_key_settled(*, actor, key: str) -> IdempotencyKey | None:
    """The stored key once no registration in flight holds it, or None when it is unused.

    Inserting a claim waits on the unique index for a concurrent holder to commit
    or roll back; this probe's own claim is always rolled back.  The portal asks
    it when a submission fails a check a concurrent submission of the same form
    may have consumed (the captcha), to answer with that submission's receipt."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=actor, key=key, request_hash="")
            raise _Unclaimed
    except _Unclaimed:
        return None
    except IntegrityError:
        return _stored_key(actor, key)
