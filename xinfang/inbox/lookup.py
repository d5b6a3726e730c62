"""Exact lookups typed into the inbox search box: case numbers in any common
form, phone numbers and ID numbers.

A clerk types what is on the paper in front of them: "海信(2026)09245号" with
half-width brackets, "海信【2026】9245", the bare sequence "09245", a phone
number with dashes or an ID number.  None of these is a word of the text, so
the token search would find nothing.  `exact_filter` recognises them and
returns a filter on indexed columns (the unique case number, the keyed
hashes of phone and ID number); the ID and phone lookups go through
`petitions.personal.find_petitioners`, which writes the audit rows.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db.models import Q

_OPEN = "〔(（[［【〖"
_CLOSE = "〕)）]］】〗"
# Prefix (any non-digits), year in any bracket, sequence number, optional 号.
_CASE = re.compile(
    rf"^(?P<prefix>\D*?)[{re.escape(_OPEN)}](?P<year>\d{{4}})[{re.escape(_CLOSE)}]\s*(?P<seq>\d{{1,7}})号?$"
)
_SEQUENCE = re.compile(r"^\d{1,7}$")
_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_ID_NUMBER = re.compile(r"^(?:\d{17}[\dX]|\d{15})$")


def _compact(query: str) -> str:
    """Full-width to half-width, no spaces or dashes (as typed from paper)."""
    value = unicodedata.normalize("NFKC", query).strip()
    return re.sub(r"[\s\-－—_]", "", value).upper()


def case_number_candidates(query: str) -> list[str]:
    """The case numbers `query` may stand for, in the configured format.

    A bracketed form names its year (and usually its prefix); a bare number is
    the sequence number of any year whose sequence has reached it."""
    from xinfang.petitions.models import CaseSequence

    text = query.strip()
    match = _CASE.match(text) or _CASE.match(unicodedata.normalize("NFKC", text))
    fmt = settings.CASE_NUMBER_FORMAT
    if match:
        year, seq = int(match["year"]), int(match["seq"])
        prefixes = [match["prefix"].strip()] if match["prefix"].strip() else []
        known = CaseSequence.objects.filter(year=year, last__gte=seq).values_list("prefix", flat=True)
        prefixes += [p for p in known if p not in prefixes]
        if not prefixes:
            prefixes = [settings.CASE_NUMBER_PREFIX]
        return [fmt.format(prefix=p, year=year, seq=seq) for p in prefixes]
    if _SEQUENCE.match(text):
        seq = int(text)
        rows = CaseSequence.objects.filter(last__gte=seq).order_by("-year").values_list("prefix", "year")
        return [fmt.format(prefix=p, year=y, seq=seq) for p, y in rows]
    return []


def person_kind(query: str) -> tuple[str, str] | None:
    """("phone" | "id_number", normalised value) when `query` is one, else None."""
    value = _compact(query)
    if _ID_NUMBER.match(value):
        return "id_number", value
    mobile = _MOBILE.match(value)
    if mobile:
        return "phone", mobile[1]
    if _LANDLINE.match(value):
        return "phone", value
    return None


def exact_filter(user, query: str, request=None) -> Q | None:
    """A filter for the petitions `query` names exactly, or None when it names
    nothing exactly (then the caller runs the text search).  Phone and ID
    lookups are audited, one row per person found."""
    from xinfang.petitions.models import Petition, PetitionPetitioner
    from xinfang.petitions.personal import find_petitioners

    person = person_kind(query)
    if person is not None:
        field, value = person
        people = find_petitioners(user, request=request, **{field: value})
        links = PetitionPetitioner.objects.filter(petitioner__in=[p.pk for p in people])
        return Q(pk__in=links.values("petition_id"))
    candidates = case_number_candidates(query)
    if candidates:
        from xinfang.petitions.models import Custody

        found = list(
            Petition.objects.filter(case_number__in=candidates).values_list("case_number", flat=True)
        )
        # A matter that moved between bureaus also carries each receiving bureau's number.
        moved = list(Custody.objects.filter(case_number__in=candidates).values_list("petition_id", flat=True))
        if found or moved:
            return Q(case_number__in=found) | Q(pk__in=moved)
    return None
