"""A person's earlier petitions, found through the keyed hashes on Petitioner (ID number, phone, or
name plus address): indexed equality lookups only, never a scan and never a decryption."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from xinfang.lib.crypto import lookup_hash, normalise
from xinfang.petitions.models import Petition, Petitioner, PetitionPetitioner, name_address_hash

HISTORY_LIMIT = 50


@dataclass
class PersonKey:
    """What the desk knows about one petitioner before registering (plain values, never stored)."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False

    def hashes(self) -> dict[str, str]:
        out = {}
        if self.id_number.strip():
            out["id_number_hash"] = lookup_hash(normalise(self.id_number), purpose="id")
        if self.phone.strip():
            out["phone_hash"] = lookup_hash(normalise(self.phone), purpose="phone")
        key = name_address_hash(self.name, self.address)
        if key:
            out["name_address_hash"] = key
        return out


def _match_q(hashes: list[dict[str, str]]) -> Q | None:
    by_field: dict[str, set[str]] = {}
    for h in hashes:
        for fieldname, value in h.items():
            if value:
                by_field.setdefault(fieldname, set()).add(value)
    q = None
    for fieldname, values in by_field.items():
        part = Q(**{f"{fieldname}__in": sorted(values)})
        q = part if q is None else q | part
    return q


def _sharing(hashes: list[dict[str, str]]) -> set[int]:
    """Petitioners with any of these hashes (at most 200)."""
    q = _match_q(hashes)
    return set(Petitioner.objects.filter(q).values_list("pk", flat=True)[:200]) if q is not None else set()


def petitioner_ids_for_keys(keys: list[PersonKey], known_ids: list[int] = ()) -> set[int]:
    return {int(i) for i in known_ids} | _sharing([k.hashes() for k in keys])


HASHES = ("id_number_hash", "phone_hash", "name_address_hash")


@dataclass
class PetitionPeople:
    """Who a registered petition's triage compares: its links' representative marks (in order) and
    its petitioners with every other Petitioner row sharing one of their hashes (``petitioner_ids``)."""

    representatives: list[bool]
    petitioner_ids: set[int]


def petitioner_ids_of(petition: Petition) -> set[int]:
    """The petition's petitioners and every other Petitioner row sharing one of their hashes."""
    return people_of_petitions([petition.pk])[petition.pk].petitioner_ids


def people_of_petitions(petition_ids) -> dict[int, PetitionPeople]:
    """``PetitionPeople`` of each petition, in two queries whatever their number (the worker's batch)."""
    ids = list(petition_ids)
    people = {pk: PetitionPeople([], set()) for pk in ids}
    hashes: dict[int, list[dict[str, str]]] = {pk: [] for pk in ids}
    links = (
        PetitionPetitioner.objects.filter(petition_id__in=ids)
        .order_by("petition_id", "order", "pk")
        .values_list(
            "petition_id", "is_representative", "petitioner_id", *(f"petitioner__{h}" for h in HASHES)
        )
    )
    for petition_id, representative, petitioner_id, *values in links:
        people[petition_id].representatives.append(representative)
        people[petition_id].petitioner_ids.add(petitioner_id)
        hashes[petition_id].append(dict(zip(HASHES, values, strict=True)))
    q = _match_q([h for rows in hashes.values() for h in rows])
    if q is None:
        return people
    holders: dict[tuple[str, str], list[int]] = {}  # (hash field, value) → Petitioner rows with it
    for pk, *values in Petitioner.objects.filter(q).values_list("pk", *HASHES)[: 200 * len(ids)]:
        for field, value in zip(HASHES, values, strict=True):
            if value:
                holders.setdefault((field, value), []).append(pk)
    for pk, rows in hashes.items():
        keys = {(field, value) for row in rows for field, value in row.items() if value}
        found = dict.fromkeys(other for key in keys for other in holders.get(key, ()))
        people[pk].petitioner_ids.update(list(found)[:200])
    return people


def earlier_petitions(petitioner_ids: set[int], *, exclude_id: int | None = None) -> list[Petition]:
    """Petitions of these people, newest first (at most ``HISTORY_LIMIT``)."""
    if not petitioner_ids:
        return []
    links = PetitionPetitioner.objects.filter(petitioner_id__in=sorted(petitioner_ids))
    if exclude_id is not None:
        links = links.exclude(petition_id=exclude_id)
    ids = set(links.order_by("-petition_id").values_list("petition_id", flat=True)[: HISTORY_LIMIT * 2])
    if not ids:
        return []
    return list(
        Petition.objects.filter(pk__in=ids)
        .select_related("handling_unit", "registering_unit", "bureau")
        .order_by("-received_at", "-pk")[:HISTORY_LIMIT]
    )
