"""The dispatch catalogue (派单目录): words in a petition that point to a unit, and rules for the class.

Place names point to the territorial unit (towns and streets by their name, short name and
``Unit.keywords``; communities and villages by their name, to the town above them); subject keywords
point to the department (``Unit.keywords``, names and short names of departments, political-legal and
discipline units). It works alone before there is any history, and stays as a feature afterwards
(its words are taught to the segmenter and its votes are blended with the unit model's).

Class and claim-route rules are keyword lists from the regulation's own wording (Arts. 29–31); they
answer only when no trained model exists.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from xinfang.triage import segment

REFRESH_SECONDS = 60.0

CLASS_RULES: list[tuple[str, tuple[str, ...]]] = [
    (
        "accusation",
        ("举报", "检举", "控告", "贪污", "受贿", "挪用", "截留", "违纪", "吃拿卡要", "好处费", "作风"),
    ),
    ("suggestion", ("建议", "意见", "希望增设", "提议", "倡议")),
]
ROUTE_RULES: list[tuple[int, tuple[str, ...]]] = [
    (1, ("判决", "裁定", "法院", "起诉", "上诉", "执行款", "强制执行", "刑事", "报警", "公安", "检察")),
    (2, ("仲裁", "劳动争议", "劳动合同", "工伤认定")),
    (4, ("行政复议", "复议", "许可", "处罚", "确权", "行政裁决", "不动产登记", "审批")),
]


@dataclass
class UnitInfo:
    id: int
    name: str
    level: str
    kind: str
    parent_id: int | None


@dataclass
class Hit:
    unit_id: int
    score: float
    words: list[str] = field(default_factory=list)


@dataclass
class Match:
    territorial: list[Hit]
    departmental: list[Hit]

    def best(self) -> Hit | None:
        """A department when a subject keyword matched, else the territory (属地管理、谁主管谁负责)."""
        if self.departmental:
            return self.departmental[0]
        return self.territorial[0] if self.territorial else None


class Catalogue:
    def __init__(self, units: list[UnitInfo], keywords: dict[int, list[str]]):
        self.units = {u.id: u for u in units}
        self.place_terms: dict[str, set[int]] = {}
        self.subject_terms: dict[str, set[int]] = {}
        for unit in units:
            words = set(keywords.get(unit.id, []))
            if unit.kind == "territorial":
                town = self.town_of(unit.id)
                if town is None:
                    continue
                words.add(unit.name)
                if unit.level == "community":
                    for suffix in ("社区", "村"):
                        stem = unit.name.removesuffix(suffix)
                        if stem != unit.name and len(stem) >= 2:
                            words.add(stem + suffix)
                for word in words:
                    self._add(self.place_terms, word, town)
            elif unit.kind in {"department", "political_legal", "discipline"}:
                words.add(unit.name)
                for word in words:
                    self._add(self.subject_terms, word, unit.id)

    @staticmethod
    def _add(table: dict[str, set[int]], word: str, unit_id: int) -> None:
        word = segment.normalize(word).strip()
        if len(word) >= 2:
            table.setdefault(word, set()).add(unit_id)

    def town_of(self, unit_id: int | None) -> int | None:
        """The town-level unit at or above ``unit_id`` (a community answers for its town)."""
        seen = 0
        while unit_id is not None and seen < 8:
            unit = self.units.get(unit_id)
            if unit is None:
                return None
            if unit.level == "town":
                return unit.id
            if unit.level != "community":
                return None
            unit_id, seen = unit.parent_id, seen + 1
        return None

    def terms(self) -> list[str]:
        return sorted(set(self.place_terms) | set(self.subject_terms))

    def match(self, text: str) -> Match:
        text = segment.normalize(text)
        return Match(_scan(text, self.place_terms), _scan(text, self.subject_terms))


def _scan(text: str, table: dict[str, set[int]]) -> list[Hit]:
    """Longest terms first; a term inside a longer one already matched does not vote again."""
    found = [t for t in table if t in text]
    found.sort(key=len, reverse=True)
    taken: list[str] = []
    hits: dict[int, Hit] = {}
    for term in found:
        if any(term in longer for longer in taken):
            continue
        taken.append(term)
        owners = table[term]
        weight = text.count(term) * (1.0 + 0.25 * (len(term) - 2)) / len(owners)
        for unit_id in owners:
            hit = hits.setdefault(unit_id, Hit(unit_id, 0.0))
            hit.score += weight
            hit.words.append(term)
    return sorted(hits.values(), key=lambda h: (-h.score, h.unit_id))


def rule_class(text: str) -> tuple[str, list[str]]:
    for label, words in CLASS_RULES:
        found = [w for w in words if w in text]
        if found:
            return label, found[:5]
    return "claim", []


def rule_route(text: str) -> tuple[int, list[str]]:
    for route, words in ROUTE_RULES:
        found = [w for w in words if w in text]
        if found:
            return route, found[:5]
    return 6, []


_cache: dict[str, object] = {"catalogue": None, "at": 0.0}
_lock = threading.Lock()


def get_catalogue() -> Catalogue:
    """Per-process catalogue, rebuilt after a unit is saved here or every ``REFRESH_SECONDS``."""
    now = time.monotonic()
    cat = _cache["catalogue"]
    if cat is not None and now - _cache["at"] < REFRESH_SECONDS:
        return cat
    with _lock:
        from xinfang.units.models import Unit

        rows = list(
            Unit.objects.filter(is_active=True).values(
                "id", "name", "short_name", "level", "kind", "parent_id", "keywords"
            )
        )
        units = [UnitInfo(r["id"], r["name"], r["level"], r["kind"], r["parent_id"]) for r in rows]
        keywords = {}
        for r in rows:
            words = r["keywords"].replace("，", " ").replace(",", " ").split()
            if r["short_name"] and len(r["short_name"]) >= 2:
                words.append(r["short_name"])
            keywords[r["id"]] = words
        cat = Catalogue(units, keywords)
        segment.add_user_words(cat.terms())
        _cache.update(catalogue=cat, at=time.monotonic())
        return cat


def invalidate() -> None:
    _cache["catalogue"] = None
