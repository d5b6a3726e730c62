"""Hot spots (热点问题): the top issues of a period, grouped by content similarity.

Grouping (`cluster`, pure Python):
1. features — TF-IDF of jieba content words (stopwords dropped, masked names
   merged) and of character bigrams, sublinear tf, each block L2-normalised and
   joined (words weighted 0.6, characters 0.4); place names (estates, roads,
   companies: triage.repeat.place_names) are added as extra word features so
   two messages about one estate pull together;
2. reduction — TruncatedSVD to 128 dimensions, rows L2-normalised (cosine = dot);
3. neighbours — the k = 25 nearest neighbours of every row (blocked exact
   matrix products up to 40,000 rows, hnswlib above), keep an edge i–j when
   cos ≥ `threshold` and the pair is mutual (j among i's neighbours and i
   among j's), which stops single-link chaining through generic texts;
4. clusters — connected components of that graph (scipy), sizes ≥ 2.
Runs in a few seconds for tens of thousands of texts (jieba is most of it).

`hot_spots(start, end, unit)` clusters the petitions of the period together
with the previous period of the same length and reports, for each group: its
count now and before (trend), towns, estates/roads, the petitions and a label
(its top keywords).  `monthly_candidates(month)` ranks recurring problems for
每月一题 by count × spread (towns) × (1 + repeat share).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from xinfang.triage import segment

THRESHOLD = 0.75
NEIGHBOURS = 25
DIM = 128
EXACT_LIMIT = 40_000


_PLACE = re.compile(
    r"([\u4e00-\u9fffa-z0-9]{2,10}?(?:小区|花园|家园|新村|新城|大厦|广场|公寓|社区|街道|大道|路|街|苑|村|镇|公司|学校|中学|小学|幼儿园|医院|市场|工地|项目))"
)
_PLACE_SUFFIX = re.compile(
    r"(?:小区|花园|家园|新村|新城|大厦|广场|公寓|社区|街道|大道|路|街|苑|村|镇|公司|学校|中学|小学|幼儿园|医院|市场|工地|项目)$"
)
_PLACE_LEAD = re.compile(
    r"^(?:[a-z]?\d*[市区县]|.*?(?:在|位于|地处|投诉|举报|反映|关于|咨询|请问|希望|要求|加快|建设"
    r"|请求|责令|建议|没有|增设|新建|我是|我到))+"
)


def place_names(text: str) -> set[str]:
    """Estates, roads, villages and companies named in `text` (丽发新城, 云塘路 …)."""
    out = set()
    for match in _PLACE.findall(segment.normalize(text)):
        name = _PLACE_LEAD.sub("", match)
        if len(name) >= 3:
            out.add(name)
    return out


def _identity(tokens):
    return tokens


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


@dataclass
class Clustering:
    labels: np.ndarray  # -1 = no group
    keywords: dict[int, list[str]]
    places: dict[int, list[str]]
    tokens: list[list[str]] = field(repr=False, default_factory=list)

    def groups(self) -> dict[int, list[int]]:
        """Group number → row positions, largest first."""
        out: dict[int, list[int]] = defaultdict(list)
        for i, label in enumerate(self.labels):
            if label >= 0:
                out[int(label)].append(i)
        return dict(sorted(out.items(), key=lambda kv: -len(kv[1])))


TextParts = tuple[list[str], set[str], str]


def text_parts(text: str) -> TextParts:
    """What `cluster` reads of one text: its words, place names and character text.
    The costly part (segmentation); callers that cluster overlapping sets keep it."""
    return segment.words(text), place_names(text), segment.char_text(text)


def _features(
    texts: Sequence[str], parts: Sequence[TextParts] | None = None
) -> tuple[sp.csr_matrix, list[list[str]], TfidfVectorizer, list[set[str]]]:
    parts = parts if parts is not None else [text_parts(t) for t in texts]
    tokens = [p[0] for p in parts]
    places = [p[1] for p in parts]
    # Very common terms say nothing about the matter, but in a handful of texts nothing is "common".
    max_df = 0.3 if len(texts) >= 200 else 1.0
    words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2, max_df=max_df, dtype=np.float32)
    chars = TfidfVectorizer(analyzer=_bigrams, sublinear_tf=True, min_df=2, max_df=max_df, dtype=np.float32)
    w = words.fit_transform([t + [f"@{p}" for p in ps] for t, ps in zip(tokens, places, strict=True)])
    c = chars.fit_transform([p[2] for p in parts])
    x = sp.hstack([normalize(w) * 0.6, normalize(c) * 0.4], format="csr")
    return x, tokens, words, places


def _edges(v: np.ndarray, k: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest `k` other rows with similarity ≥ `threshold`, as (row, neighbour)
    pairs: exact below EXACT_LIMIT rows, an HNSW graph above."""
    n = len(v)
    k = min(k, n - 1)
    if n <= EXACT_LIMIT:
        rows, cols = [], []
        for lo in range(0, n, 2048):
            block = v[lo : lo + 2048] @ v.T
            own = np.arange(block.shape[0])
            block[own, lo + own] = -1.0  # not yourself
            # Few pairs reach the threshold: select those first, then the k best of each row
            # (the same pairs as the k nearest filtered by the threshold, far cheaper).
            r, c = np.nonzero(block >= threshold)
            order = np.lexsort((-block[r, c], r))
            r, c = r[order], c[order]
            first = np.searchsorted(r, r)
            keep = np.arange(len(r)) - first < k
            rows.append(r[keep] + lo)
            cols.append(c[keep])
        return np.concatenate(rows), np.concatenate(cols)
    import hnswlib

    index = hnswlib.Index(space="ip", dim=v.shape[1])
    index.init_index(max_elements=n, M=16, ef_construction=100, random_seed=0)
    index.add_items(v, np.arange(n))
    index.set_ef(max(50, 2 * k))
    labels, distances = index.knn_query(v, k=k + 1)
    idx, sim = labels[:, 1:].astype(np.int64), 1.0 - distances[:, 1:]
    keep = sim >= threshold
    return np.repeat(np.arange(n), idx.shape[1])[keep.ravel()], idx[keep]


def cluster(
    texts: Sequence[str],
    *,
    threshold: float = THRESHOLD,
    k: int = NEIGHBOURS,
    seed: int = 0,
    parts: Sequence[TextParts] | None = None,
) -> Clustering:
    """Group texts about one matter (see the module docstring); `parts`, when given,
    are `text_parts(text)` of each text, computed earlier."""
    n = len(texts)
    if n < 2:
        return Clustering(np.full(n, -1), {}, {})
    x, tokens, words, places = _features(texts, parts)
    dim = max(1, min(DIM, x.shape[1] - 1, n - 1))
    v = (
        TruncatedSVD(dim, algorithm="randomized", n_iter=5, random_state=seed)
        .fit_transform(x)
        .astype(np.float32)
    )
    v = normalize(v)
    rows, cols = _edges(v, k, threshold)
    graph = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n))
    mutual = graph.multiply(graph.T)
    _, labels = connected_components(mutual, directed=False)
    sizes = np.bincount(labels)
    labels = np.where(sizes[labels] >= 2, labels, -1)
    result = Clustering(labels, {}, {}, tokens)
    vocabulary = words.get_feature_names_out()
    readable = np.array(
        [len(t) >= 2 and t != segment.MASK_TOKEN and not t.startswith("@") for t in vocabulary]
    )
    w = words.transform([t for t in tokens])
    for label, members in result.groups().items():
        weights = np.asarray(w[members].sum(axis=0)).ravel() * readable
        result.keywords[label] = [str(vocabulary[i]) for i in np.argsort(-weights)[:4] if weights[i] > 0]
        result.places[label] = shared_place_names([texts[m] for m in members])
    return result


# Stems too generic to name a place ("物业公司" is every estate's, "该小区" any estate).
_GENERIC_STEMS = {
    "物业",
    "开发",
    "建筑",
    "施工",
    "该",
    "这个",
    "本",
    "我们",
    "他们",
    "有关",
    "相关",
    "各",
    "某",
}


def shared_place_names(texts: Sequence[str], limit: int = 3) -> list[str]:
    """The place names a group's texts share, for display: whole names only.

    Each text gives its place names (`place_names`: the words that lead into a
    name, "反映", "请求责令", "我是" …, are cut off); a name counts once per text.
    Names given by at least two texts are kept, most frequent first and, at equal
    counts, the longest; generic ones ("物业公司") are skipped."""
    counted = Counter(name for text in texts for name in place_names(text))
    chosen: list[str] = []
    for name, count in sorted(counted.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
        if count < 2 or len(chosen) >= limit:
            break
        if _PLACE_SUFFIX.sub("", name) in _GENERIC_STEMS or any(name in c or c in name for c in chosen):
            continue
        chosen.append(name)
    return chosen


# --- petitions ---------------------------------------------------------------------------------


def hot_spots(
    start: date,
    end: date,
    unit=None,
    *,
    user=None,
    limit: int = 10,
    min_count: int = 2,
    bureau=None,
) -> list[dict]:
    """The top groups of start..end (by count), with trend against the previous
    period of the same length; with `user`, only petitions that user may see
    (access.py), with `unit`, those handled under it, with `bureau`, those counted in
    its area (areas.py).  Groups are the hot topics the worker keeps (stats.topics),
    so every period and page counts alike.  For a bureau with lower bureaus (a city),
    each group says which districts it spans (``districts``: names, most petitions
    first, the city's own level included), so a problem spread thin over several
    districts shows at the city."""
    from xinfang.petitions import access
    from xinfang.petitions.models import Petition
    from xinfang.units.models import Unit

    from . import areas, topics
    from .dashboard import scope_ids
    from .models import HotTopic
    from .rollup import bounds

    length = (end - start).days + 1
    lo, hi = bounds(start, end)
    previous_lo, _ = bounds(start - timedelta(days=length), end)
    topics.assign_inline(previous_lo, hi)
    under = scope_ids(unit) if unit is not None else None
    if under is not None and (user is None or access.holds_handled_under(user, under)):
        # The unit's matters are all in the viewer's scope: those the viewer may open are all of
        # them less the few hidden whatever the scope (the same set, without the scope's join).
        members = topics.members_handled_under(under, access.hidden_whatever_scope(user))
    elif user is not None:
        petitions = access.visible_petitions(user)
        if under is not None:
            petitions = petitions.filter(handling_unit_id__in=under)
        members = topics.members_counted(petitions, areas.unit_ids(bureau) if unit is None else None)
    else:
        members = topics.members_counted(None, areas.unit_ids(bureau))
    parts = areas.parts(bureau) if unit is None else []
    part_of = areas.part_of_units(parts)
    top = topics.top_topics(members, lo, hi, limit, min_count)
    ids = [topic_id for topic_id, _ in top]
    before = topics.counts_by_topic(members, previous_lo, lo, ids)
    summary_of = topics.summaries(members, lo, hi, ids)
    described = HotTopic.objects.in_bulk(ids)
    town_names = dict(
        Unit.objects.filter(pk__in={t for s in summary_of.values() for t in s.towns}).values_list(
            "pk", "name"
        )
    )
    examples = Petition.objects.in_bulk([pk for s in summary_of.values() for pk in s.ids[:5]])
    spots = []
    for topic_id, count in top:
        summary, previous, topic = summary_of[topic_id], before.get(topic_id, 0), described[topic_id]
        # Grouped rows come in no set order: count in key order, so ties rank alike on every database.
        towns, spread = Counter(), Counter()
        for town_id, n in sorted(summary.towns.items()):
            towns[town_names[town_id]] += n
        for unit_id, n in sorted(summary.units.items()):
            if unit_id in part_of:
                spread[parts[part_of[unit_id]].name] += n
        spots.append(
            {
                "topic_id": topic_id,
                "label": topic.label,
                "keywords": topic.keywords,
                "count": count,
                "previous": previous,
                "trend": (count - previous) / previous if previous else None,
                "trend_percent": round(abs(count - previous) * 100 / previous) if previous else None,
                "towns": [t for t, _ in towns.most_common(5)],
                "town_count": len(towns),
                "districts": [name for name, _ in spread.most_common()],
                "places": topic.places
                + [
                    a
                    for a, _ in Counter(dict(sorted(summary.addresses.items()))).most_common(3)
                    if a not in topic.places
                ],
                "repeat_share": summary.repeats / count,
                "petition_ids": summary.ids,
                "examples": [
                    {"id": pk, "case_number": examples[pk].case_number, "title": examples[pk].title}
                    for pk in summary.ids[:5]
                ],
            }
        )
    return spots


def monthly_score(spot: dict) -> float:
    """count × spread (towns, at least 1) × (1 + repeat share)."""
    return spot["count"] * max(1, spot["town_count"]) * (1 + spot["repeat_share"])


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def rank_monthly(spots: list[dict], limit: int = 10) -> list[dict]:
    """Spots ranked for 每月一题 by :func:`monthly_score`, best first."""
    ranked = [{**spot, "score": monthly_score(spot)} for spot in spots]
    ranked.sort(key=lambda s: -s["score"])
    return ranked[:limit]


def monthly_candidates(month: date, unit=None, *, user=None, limit: int = 10, bureau=None) -> list[dict]:
    """每月一题 candidates for the month containing `month`, best first."""
    start, end = month_bounds(month)
    return rank_monthly(hot_spots(start, end, unit, user=user, limit=50, min_count=3, bureau=bureau), limit)
