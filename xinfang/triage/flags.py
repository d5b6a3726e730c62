"""Repeat (重复访), collective (集体访) and skip-level (越级访) flags, each with its evidence and article.

Pure decisions over rows the service has already loaded; each function returns a ``Flag`` or None.
``Flag.action`` names the workflow function the registrar may apply (the flag never applies it):
``petition_merge`` / ``petition_reject`` (Art. 19③) / ``petition_refuse_final`` (Art. 36③).
A repeat of an open matter is worded by where it arrives (``relation``): the same body merges, only a
body above refuses (Art. 19③), a body below sends it on (Arts. 22, 23).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone

from xinfang.petitions.choices import OPEN_STATUSES, Channel, RejectionReason, Status
from xinfang.units.models import LEVEL_RANK, UnitLevel

from . import segment
from .repeat import SAME_MATTER_THRESHOLD, place_names, same_matter_score

MAX_COMPARE = 8  # same-matter comparisons per petition (each ~1 ms)
MIN_WORD_OVERLAP = 0.25  # cosine of the two sets of content words
COLLECTIVE_PEOPLE = 5  # Art. 20③: a collective visit sends at most 5 representatives
COLLECTIVE_DAYS = 7  # as the statistics detector (stats.detectors.COLLECTIVE_DAYS)
ACCEPTED_OR_HANDLING = {Status.ROUTED, Status.HANDLING, Status.OPINION_DRAFTED}
LEVEL_NAMES = dict(UnitLevel.choices)


@dataclass
class Draft:
    """The petition being triaged (registered or still on the desk)."""

    title: str
    text: str
    place: str = ""
    channel: str = Channel.VISIT
    head_count: int = 1
    n_petitioners: int = 1
    n_representatives: int = 0
    registering_unit: object | None = None  # Unit
    town_id: int | None = None
    received_at: datetime | None = None
    petition_id: int | None = None
    petitioner_ids: set[int] = field(default_factory=set)


@dataclass
class Flag:
    kind: str  # repeat / collective / skip_level
    case: str
    message: str
    article: str = ""
    evidence: list[dict] = field(default_factory=list)
    action: dict | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _evidence(petition, score: float | None = None, reasons: list[str] | None = None) -> dict:
    return {
        "petition_id": petition.pk,
        "case_number": petition.case_number,
        "title": petition.title[:60],
        "status": petition.status,
        "status_label": str(petition.get_status_display()),
        "received": f"{timezone.localtime(petition.received_at):%Y-%m-%d}",
        "score": score,
        "reasons": reasons or [],
    }


def _word_overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


_TOWN_SUFFIXES = ("街道", "镇", "乡", "社区", "村")


def shares_place(text_a: str, text_b: str) -> bool:
    """Both texts name one estate, road, company … (a shared town or village name is not enough)."""
    shared = place_names(text_a) & place_names(text_b)
    return any(not name.endswith(_TOWN_SUFFIXES) for name in shared)


def same_matter(
    draft: Draft, petitions, *, same_place: bool = False
) -> list[tuple[object, float, list[str]]]:
    """(petition, score, reasons) for the candidates that are the same matter, best first.

    Besides ``same_matter_score`` the two texts must share content words (``MIN_WORD_OVERLAP``): a
    shared town name alone lifts the score over the threshold, and every petition names its town.
    ``same_place`` (for other people's petitions) also requires a shared estate, road or company name:
    the same complaint about two estates is two matters."""
    out = []
    mine = set(segment.words(f"{draft.title} {draft.text}"))
    for petition in list(petitions)[:MAX_COMPARE]:
        theirs = set(segment.words(f"{petition.title} {petition.content}"))
        if _word_overlap(mine, theirs) < MIN_WORD_OVERLAP:
            continue
        if same_place and not shares_place(
            f"{draft.title}。{draft.text}", f"{petition.title}。{petition.content}"
        ):
            continue
        score, reasons = same_matter_score(draft.text, draft.title, petition.content, petition.title)
        if score >= SAME_MATTER_THRESHOLD:
            out.append((petition, score, reasons))
    return sorted(out, key=lambda t: -t[1])


def same_line(upper, lower) -> bool:
    """``lower`` lies in the area of ``upper``'s bureau (units/bureaus.py): a higher level is above a
    lower one only along its own line — 连云区 is at a higher level than a 海州区 town, not above it."""
    from xinfang.units import bureaus

    bureau = bureaus.bureau_for(upper)
    return bureau is None or bureaus.covers_everything(bureau) or bureaus.in_area(bureau, lower)


def is_above(upper, lower) -> bool:
    """``upper`` is a higher body than ``lower``: a higher level along ``lower``'s line (see
    ``same_line``), or the bureau / government of the level whose subtree holds ``lower`` (a county
    bureau is above the county's departments)."""
    if upper is None or lower is None or upper.pk == lower.pk:
        return False
    if LEVEL_RANK.get(upper.level, 9) < LEVEL_RANK.get(lower.level, 9):
        return same_line(upper, lower)
    if upper.kind in {"bureau", "leadership"}:
        base = upper.path.rsplit("/", 2)[0] + "/" if upper.parent_id else upper.path
        return lower.path.startswith(base) and not lower.path.startswith(upper.path)
    return False


def final_of(petition):
    """The matter concluded by re-review behind ``petition`` (itself, or what it was refused as)."""
    if petition.is_final:
        return petition
    if petition.status == Status.REFUSED_FINAL:
        from xinfang.petitions.models import PetitionLink

        link = (
            PetitionLink.objects.filter(from_petition=petition, to_petition__is_final=True)
            .select_related("to_petition")
            .first()
        )
        return link.to_petition if link else None
    return None


def relation(here, petition) -> str:
    """Where the body now receiving the matter (``here``) stands to the earlier, open ``petition``:
    "same" (it registered or handles that petition: the petitioner came back), "above" (a higher body
    than the one handling it), "below" (a lower body than the one handling it) or "other"."""
    handling = petition.handling_unit
    if here is None:
        return "other"
    if here.pk in {petition.registering_unit_id, petition.handling_unit_id}:
        return "same"
    if handling is not None and is_above(here, handling):
        return "above"
    if handling is not None and is_above(handling, here):
        return "below"
    return "other"


def _held_elsewhere(draft: Draft, petition):
    """The bureau holding ``petition`` when it is another bureau off the draft's line (a sibling
    district's): a merge across bureaus is not possible, the matter is told and sent on."""
    from xinfang.units import bureaus

    holder = petition.bureau if petition.bureau_id else None
    here = bureaus.bureau_for(draft.registering_unit)
    if holder is None or here is None or holder.pk == here.pk:
        return None
    if bureaus.in_area(here, holder) or bureaus.in_area(holder, here):
        return None
    return holder


def _open_repeat(draft: Draft, petition, evidence: list[dict]) -> Flag:
    """The same matter is still open: the wording and the article depend on who receives it now.

    Art. 19③ lets only a body *above* the one that accepted or handles the matter refuse it; the same
    body merges the new request into the open matter, and a body below has no ground to refuse: it
    tells the petitioner where the matter is and sends the papers on."""
    case_number, status = petition.case_number, petition.get_status_display()
    accepted = petition.status in ACCEPTED_OR_HANDLING and (
        petition.accepted_at is not None or petition.status == Status.ROUTED
    )
    where = relation(draft.registering_unit, petition)
    merge = {"name": "petition_merge", "earlier_id": petition.pk, "label": "合并至原事项"}
    if accepted and where == "above":
        return Flag(
            "repeat",
            "open_below",
            f"同一事项已由下级机关{petition.handling_unit.name}受理或正在办理（{case_number}），"
            "信访人在办理期限内又向上级机关提出，建议不予受理。",
            "《信访工作条例》第十九条第三款",
            evidence,
            {
                "name": "petition_reject",
                "earlier_id": petition.pk,
                "reason_code": RejectionReason.SAME_MATTER_BELOW,
                "label": "不予受理",
            },
        )
    if accepted and where == "below":
        bureau = getattr(draft.registering_unit, "kind", "") == "bureau"
        return Flag(
            "repeat",
            "open_above",
            f"同一事项已由上级机关{petition.handling_unit.name}受理或正在办理（{case_number}）。"
            "不予受理只适用于上级机关（第十九条第三款），本机关不应以此不予受理；"
            f"建议告知信访人该事项的办理机关和进展，并将材料{'转送' if bureau else '报送'}"
            f"{petition.handling_unit.name}一并办理。",
            "《信访工作条例》第二十二条第一款" if bureau else "《信访工作条例》第二十三条第一款",
            evidence,
            None,
        )
    holder = _held_elsewhere(draft, petition) if where == "other" else None
    if holder is not None:
        return Flag(
            "repeat",
            "open_elsewhere",
            f"同一信访人就同一事项已向{holder.name}提出，正在办理中（{case_number}，{status}）。"
            f"请核实管辖：属{holder.name}辖区处理的，告知信访人该事项的办理机关和进展，"
            "新的材料转送原办理机关一并办理，不另行受理。",
            "《信访工作条例》第二十二条第一款",
            evidence,
            None,
        )
    if where == "same":
        return Flag(
            "repeat",
            "open_same",
            f"信访人就同一事项再次向本机关提出，原事项正在办理中（{case_number}，{status}），"
            "建议合并办理，并告知信访人办理进展；如有新的事实和理由，一并转交办理。",
            "",
            evidence,
            merge,
        )
    return Flag(
        "repeat",
        "open",
        f"同一事项正在办理中（{case_number}，{status}），建议合并办理。",
        "",
        evidence,
        merge,
    )


def repeat_flag(draft: Draft, same: list[tuple[object, float, list[str]]]) -> Flag | None:
    if not same:
        return None
    evidence = [_evidence(p, s, r) for p, s, r in same[:5]]
    for petition, _, _ in same:
        final = final_of(petition)
        if final is not None:
            return Flag(
                "repeat",
                "final",
                f"同一事项已经复核终结（{final.case_number}），信访人仍以同一事实和理由提出，建议不再受理。",
                "《信访工作条例》第三十六条第三款",
                evidence,
                {"name": "petition_refuse_final", "earlier_id": final.pk, "label": "不再受理"},
            )
    for petition, _, _ in same:
        if petition.status not in OPEN_STATUSES:
            continue
        return _open_repeat(draft, petition, evidence)
    petition = same[0][0]
    return Flag(
        "repeat",
        "concluded",
        f"同一事项已办结（{petition.case_number}，{petition.get_status_display()}）。请核实是否有新的事实和理由；"
        "对处理意见不服的，引导其在规定期限内申请复查、复核。",
        "《信访工作条例》第三十五条、第三十六条",
        evidence,
        None,
    )


def collective_flag(
    draft: Draft, group: list[tuple[object, float, list[str]]], group_people: int
) -> Flag | None:
    """A visit or letter of 5+ people, or many people with one shared matter within the window."""
    people = max(draft.head_count, draft.n_petitioners)
    if draft.channel == Channel.VISIT and draft.n_representatives > COLLECTIVE_PEOPLE:
        return Flag(
            "collective",
            "too_many_representatives",
            f"多人走访推选代表{draft.n_representatives}人，超过5人，请减少代表人数。",
            "《信访工作条例》第二十条第三款",
            [{"text": f"来访人数 {people} 人，代表 {draft.n_representatives} 人"}],
        )
    if people >= COLLECTIVE_PEOPLE:
        visit = draft.channel == Channel.VISIT
        note = "" if not visit or draft.n_representatives else "，应当推选代表（不超过5人）"
        return Flag(
            "collective",
            "visit" if visit else "joint",
            f"{'多人走访' if visit else '联名信访'}，{people}人提出共同的信访事项{note}。",
            "《信访工作条例》第二十条第三款",
            [{"text": f"人数 {people} 人，登记信访人 {draft.n_petitioners} 人"}],
        )
    if group and group_people + people >= COLLECTIVE_PEOPLE:
        return Flag(
            "collective",
            "shared_matter",
            f"近{COLLECTIVE_DAYS}日已有{len(group)}件同一问题的信访（共{group_people + people}人），疑似集体访苗头。",
            "",
            [_evidence(p, s, r) for p, s, r in group[:10]],
        )
    return None


def responsible_rank(unit) -> int | None:
    if unit is None:
        return None
    if unit.kind == "territorial" and unit.level == UnitLevel.COMMUNITY:
        return LEVEL_RANK[UnitLevel.TOWN]  # villages and communities: their town has the powers
    return LEVEL_RANK.get(unit.level)


def _open_below_over_a_level(draft: Draft, arrived: int, same: list):
    """The open earlier petition on the same matter handled more than one level below where the visit
    arrived, along the visit's own line (the district's case when a 海州区 matter comes to the city
    window); None when there is none."""
    for petition, _, _ in same:
        handling = petition.handling_unit
        rank = responsible_rank(handling)
        if petition.status not in OPEN_STATUSES or rank is None or arrived >= rank - 1:
            continue
        if draft.registering_unit is None or same_line(draft.registering_unit, handling):
            return petition
    return None


def skip_level_flag(draft: Draft, responsible, same: list) -> Flag | None:
    """Art. 20: a visit goes to the body with power at its own level or one level up; a matter of a
    lower level's powers taken above without being raised there first is skip-level."""
    reg = draft.registering_unit
    want = responsible_rank(responsible)
    if reg is None or want is None:
        return None
    own = LEVEL_RANK.get(reg.level)
    if own is None:
        return None
    from_above = draft.channel == Channel.TRANSFER_FROM_ABOVE
    arrived = own - 1 if from_above else own
    level_of = {v: k for k, v in LEVEL_RANK.items()}
    where = LEVEL_NAMES.get(level_of.get(arrived), "上级")
    belongs = f"事项属{responsible.name}（{LEVEL_NAMES.get(level_of.get(want), '')}）职权"
    tried_below = any(
        p.handling_unit is not None
        and responsible_rank(p.handling_unit) is not None
        and responsible_rank(p.handling_unit) >= min(want, own)
        for p, _, _ in same
    )
    evidence = [{"text": belongs}, {"text": f"反映到{where}机关"}]
    over_open = _open_below_over_a_level(draft, arrived, same)
    if draft.channel == Channel.VISIT and over_open is not None:
        handling = over_open.handling_unit
        return Flag(
            "skip_level",
            "visit_over_open_case",
            f"同一事项正由{handling.name}办理（{over_open.case_number}，{over_open.get_status_display()}），"
            f"信访人越过有权处理的本级和上一级机关，到{where}机关走访。"
            "应当引导信访人向办理机关反映，对办理意见不服的依法申请复查、复核。",
            "《信访工作条例》第二十条第一款",
            [_evidence(over_open), *evidence],
        )
    if (
        draft.channel in {Channel.VISIT, Channel.TRANSFER_FROM_ABOVE}
        and arrived < want - 1
        and not tried_below
    ):
        return Flag(
            "skip_level",
            "visit_too_high",
            f"{belongs}，信访人却到{where}机关反映，超出有权处理的本级或上一级。",
            "《信访工作条例》第二十条第一款",
            evidence,
        )
    if arrived < min(want, own) and not tried_below:
        return Flag(
            "skip_level",
            "not_raised_below",
            f"{belongs}，信访人未先向有权处理的机关提出，直接向上级反映。",
            "《信访工作条例》第二十条第一款、第二十二条",
            evidence,
        )
    return None
