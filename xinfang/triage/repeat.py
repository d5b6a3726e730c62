"""Repeat-matter rule: is a new petition the same matter an earlier one raised? (pure Python)

``same_matter_score(text_a, title_a, text_b, title_b)`` combines
- cosine similarity of the texts' content words (jieba, stopwords removed, sublinear tf, optionally
  weighted by an IDF table fitted on the bureau's own petitions) and of their character bigrams,
- the place / estate / organisation names both texts mention (星沙派小区, 东六路, 鹏鑫置业公司 …),
- similarity of the two titles (character bigrams; the first sentence stands in for a missing title).

The weights were set by hand, before looking at the labelled pairs; ``SAME_MATTER_THRESHOLD`` was then
chosen by cross-validation on bench/data/repeat_pairs.csv (see bench/repeat_pairs.py).
Reasons are Chinese phrases fit to show a handler.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

from xinfang.triage import segment

SAME_MATTER_THRESHOLD = 0.23
WEIGHTS = {"words": 0.35, "chars": 0.25, "title": 0.2, "places": 0.2}

# A name is a run of up to _MAX_NAME Chinese characters before one of these suffixes, cut at
# punctuation, admin-level markers (县/区/市/省) and function characters: "A7县星沙派小区" → "星沙派小区".
_NAME_SUFFIXES = (
    "小区", "花园", "家园", "新村", "大厦", "广场", "公寓", "社区", "街道", "大道", "公司", "集团", "中学",
    "小学", "幼儿园", "医院", "市场", "公园", "学院", "大学", "派出所", "酒店", "宾馆", "工业园", "物流园",
    "村", "镇", "乡", "路", "街", "桥", "苑",
)  # fmt: skip
_SUFFIX_RE = re.compile("|".join(sorted(_NAME_SUFFIXES, key=len, reverse=True)))
_BOUNDARY = set("的在是了和与及或对向把被我你他她们县区市省这那个为从到于请给让将由因但也都就又还其该此")
_MAX_NAME = 6
_FIRST_SENTENCE = re.compile(r"^[^。！？!?\n]{1,40}")


def _cosine(a: Counter, b: Counter, idf: Mapping[str, float] | None = None) -> float:
    if not a or not b:
        return 0.0

    def weight(counter: Counter) -> dict[str, float]:
        return {t: (1.0 + math.log(c)) * (idf.get(t, 1.0) if idf else 1.0) for t, c in counter.items()}

    wa, wb = weight(a), weight(b)
    dot = sum(v * wb[t] for t, v in wa.items() if t in wb)
    na = math.sqrt(sum(v * v for v in wa.values()))
    nb = math.sqrt(sum(v * v for v in wb.values()))
    return dot / (na * nb) if na and nb else 0.0


def _bigrams(text: str) -> Counter:
    text = segment.char_text(text)
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def _name_runs(text: str) -> list[str]:
    """Maximal suffix-anchored runs, e.g. "举报星沙派小区" for "…举报星沙派小区1栋"."""
    text = segment.normalize(text)
    runs = []
    for match in _SUFFIX_RE.finditer(text):
        start = match.start()
        while (
            start > 0
            and match.start() - start < _MAX_NAME
            and "\u4e00" <= text[start - 1] <= "\u9fff"
            and text[start - 1] not in _BOUNDARY
        ):
            start -= 1
        if match.start() - start >= 2:
            runs.append(text[start : match.end()])
    return runs


def place_names(text: str) -> set[str]:
    """Candidate place, estate and organisation names in ``text`` (see ``_NAME_SUFFIXES``).

    The left edge of a name is uncertain ("举报星沙派小区"), so every left edge of two or more
    characters is a candidate; two texts share a name when they share a candidate.
    """
    names = set()
    for run in set(_name_runs(text)):
        suffix = _SUFFIX_RE.search(run, len(run) - 3) or _SUFFIX_RE.search(run)
        stem = suffix.start()
        for start in range(0, stem - 1):
            names.add(run[start:])
    return names


def _shared_names(names_a: set[str], names_b: set[str]) -> list[str]:
    """Shared candidates, keeping only the longest of those that overlap."""
    shared = sorted(names_a & names_b, key=lambda s: (-len(s), s))
    kept: list[str] = []
    for name in shared:
        if not any(name in longer for longer in kept):
            kept.append(name)
    return kept


def _title(title: str, text: str) -> str:
    if title and title.strip():
        return title
    match = _FIRST_SENTENCE.match(segment.normalize(text).strip())
    return match.group(0) if match else ""


def same_matter_score(
    text_a: str,
    title_a: str,
    text_b: str,
    title_b: str,
    *,
    idf: Mapping[str, float] | None = None,
) -> tuple[float, list[str]]:
    """Score in [0, 1] (≥ ``SAME_MATTER_THRESHOLD`` means "same matter") and the reasons behind it."""
    tokens_a = segment.words(f"{title_a or ''} {text_a}")
    tokens_b = segment.words(f"{title_b or ''} {text_b}")
    words = _cosine(Counter(tokens_a), Counter(tokens_b), idf)
    chars = _cosine(_bigrams(text_a), _bigrams(text_b))
    title = _cosine(_bigrams(_title(title_a, text_a)), _bigrams(_title(title_b, text_b)))
    full_a, full_b = f"{title_a or ''}。{text_a}", f"{title_b or ''}。{text_b}"
    shared = _shared_names(place_names(full_a), place_names(full_b))
    mentions = min(len(set(_name_runs(full_a))), len(set(_name_runs(full_b))), 3)
    places = len(shared) / max(1, mentions) if shared else 0.0
    places = min(1.0, places)
    score = (
        WEIGHTS["words"] * words
        + WEIGHTS["chars"] * chars
        + WEIGHTS["title"] * title
        + WEIGHTS["places"] * places
    )
    reasons = [f"正文用词相似度 {words:.2f}", f"标题相似度 {title:.2f}"]
    if shared:
        reasons.append("共同提到：" + "、".join(shared[:5]))
    else:
        reasons.append("没有共同的地名或单位名称")
    return round(min(1.0, score), 4), reasons
