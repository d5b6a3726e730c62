"""Similar-matter index: nearest earlier petitions by text (pure Python: scikit-learn + hnswlib).

Pipeline: jieba words + character bigrams → TF-IDF → TruncatedSVD to ``dim`` dimensions → L2-normalised
float32 (+ a one-hot category block) → hnswlib inner-product HNSW graph. Scores are cosine similarities.
Words inside place names (estates, roads, villages, the catalogue's towns) are features of their own
at ``PLACE_WEIGHT``: similar matters are found by the matter, the place comes second.
Each item also keeps its ``SALIENT_PER_ITEM`` highest-weighted words (as vocabulary indexes, not text),
so a match can say which salient words it shares with the query (matter words first, then the place)
without storing petition texts.

Scopes: each item also carries two unit ids (the handling and the registering unit; -1 for none) and
the index keeps its own float32 copy of the vectors (hnswlib hands them back only one by one), so a
query can be confined to the items of some units (:meth:`SimilarIndex.query_within`): exact brute
force over a small set, HNSW with a filter over a larger one. The unit ids are a search hint for a
narrow viewer, never an access rule: callers filter the results by the viewer's access.

Persistence (one directory): ``index.bin`` (hnswlib), ``vectorizer.joblib`` (TF-IDF + SVD),
``items.npz`` (position → petition id, deleted flags, salient words, units), ``vectors.npy`` and
``meta.json`` written last
(watermark, counts, settings). The watermark is the highest petition id — or whatever monotonically
increasing event number the caller passes — included, so a server can load the directory and catch up
with ``add(rows with id > watermark)``. The index is not safe for concurrent writers; queries may run
concurrently with each other.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from xinfang.triage import evidence, segment
from xinfang.triage.cells import ByCell, Cells
from xinfang.triage.repeat import _BOUNDARY, _MAX_NAME, _SUFFIX_RE

SALIENT_PER_ITEM = 8
SALIENT_PLACES = 2  # of the salient words, at most this many place names (the matter's words first)
FIT_SAMPLE = 60_000
FORMAT_VERSION = 3
# A scoped query scores up to this many items exactly, gathering their float32 vectors a block at
# a time (the block stays in cache: 53,000 items in 7 ms, 100,000 in 13 ms on 2 cores, where one
# gather of 53,000 took 17 ms). A larger scope is scored in the cells nearest the query (cells.py,
# fitted at a rebuild of more than BRUTE_FORCE_MAX items); an index without cells searches the HNSW
# graph with a filter, whose Python callback per visited node cost a large department's handler
# 180 ms at 1,000,000 petitions for a recall of 0.89.
BRUTE_FORCE_MAX = 100_000
GATHER_BLOCK = 4096
# The positions of this many recent scopes are kept and brought up to date from the items added and
# moved since (a department's dozen handlers ask for the same scope): a full scan of the units of
# 1,000,000 items took 2.4-3.3 ms a query.
SCOPE_CACHE = 16
MOVED_MAX = 100_000  # more moves than this since a scope was cached: scan again
# A kept scope of COPY_MIN to BRUTE_FORCE_MAX items also keeps a contiguous copy of its vectors
# until it changes, within SCOPE_COPIES_BYTES in all: gathering a department's 49,000 vectors
# from the store took 8.6 ms a query, scoring a copy 2.2 ms.
COPY_MIN = 8_192
SCOPE_COPIES_BYTES = 256 * 2**20
NO_UNIT = -1
PLACE = "@"  # prefix of place features: a place name is a feature apart from the same word elsewhere
# Weight of place-name features against the matter's words, and of the category block (the score is
# the text cosine + CATEGORY_WEIGHT² when the categories agree). Both are settings
# (TRIAGE_INDEX_PLACE_WEIGHT, TRIAGE_INDEX_CATEGORY_WEIGHT). The defaults keep today's ranking: on the
# only labelled measure we have (bench/similar_groups.py, same-matter groups of the teddycup hot issues,
# most of them defined by one estate or road) place weight 0.4 lowered precision@10 from 0.703 to
# 0.657 and the category block (0.35) to 0.698.
PLACE_WEIGHT = 1.0
CATEGORY_WEIGHT = 0.0
MAX_CATEGORIES = 500
# Masked or short administrative names: A市, A3区, B12县.
_ADMIN = re.compile(r"[a-z]\d{0,3}[省市区县镇乡村]")


@dataclass
class Scope:
    """The items of some units (``SimilarIndex.scope``): their positions, deleted ones included, and
    once scored a contiguous copy of their vectors."""

    positions: np.ndarray
    vectors: np.ndarray | None = None
    by_cell: ByCell | None = None  # for a scope above BRUTE_FORCE_MAX, once queried


@dataclass(frozen=True)
class SimilarMatch:
    id: int
    score: float
    reason: list[str]


def _identity(tokens):
    return tokens


def _char_bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


def place_spans(text: str, place_terms: frozenset[str] = frozenset()) -> list[bool]:
    """Per character of ``text`` (already ``segment.char_text``): is it part of a place name?

    Place names are the catalogue's (towns, communities, their keywords: ``place_terms``), names
    ending in 小区/花园/路/街/村/镇 … (the repeat rule's pattern) and masked administrative names."""
    inside = [False] * len(text)

    def mark(start: int, end: int) -> None:
        for i in range(start, end):
            inside[i] = True

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
            mark(start, match.end())
    for match in _ADMIN.finditer(text):
        mark(match.start(), match.end())
    for term in place_terms:
        start = text.find(term)
        while start >= 0:
            mark(start, start + len(term))
            start = text.find(term, start + len(term))
    return inside


def _is_place_word(word: str, place_terms) -> bool:
    """A vocabulary entry that names a place: marked, a catalogue place or ending like one (…小区)."""
    if word.startswith(PLACE):
        return True
    suffix = _SUFFIX_RE.search(word)
    return word in place_terms or (suffix is not None and suffix.end() == len(word) and len(word) >= 3)


def features(
    text: str, place_terms: frozenset[str] = frozenset(), *, mark: bool = True, segmenter=None
) -> tuple[list[str], list[str]]:
    """(content words, character bigrams) of ``text``; with ``mark``, words inside a place name are
    joined into one and carry ``PLACE``. Without it the words are the plain content words: a place
    word then shares its feature with the same word elsewhere (盐河路 / 盐河人家), which matters while
    the vocabulary is small. ``segmenter``: a ``segment.Segmenter`` (default: the process-wide one)."""
    chars = segment.char_text(text)
    tokens = segmenter.raw_tokens(text) if segmenter is not None else segment.raw_tokens(text)
    if not mark:
        return segment.content_tokens(tokens), _char_bigrams(chars)
    inside = place_spans(chars, place_terms)
    words, at, place_end = [], 0, -1
    for token in tokens:
        start = chars.find(token, at)
        if start < 0:  # pre-segmented text: tokens need not appear in this order
            start, end = at, at
        else:
            end = start + len(token)
            at = end
        place = end > start and all(inside[start:end])
        if place and start == place_end and words and words[-1].startswith(PLACE):
            words[-1] += token  # one place name, however jieba cut it: 东湖 + 花园 → 东湖花园
            place_end = end
            continue
        kept = segment.content_tokens([token])
        if not kept:
            continue
        words.append(PLACE + kept[0] if place else kept[0])
        place_end = end if place else -1
    # Character bigrams stay as they are: split by place, a new text whose words are not yet in the
    # vocabulary lost the common bigrams it shares with the rest (市场, 路面 …) and ranked at random.
    return words, _char_bigrams(chars)


class TextVectorizer:
    """Maps texts to L2-normalised float32 vectors, and to their most salient word indexes.

    Words inside place names are features apart (``PLACE``) weighted by
    ``place_weight``; a category, when given, adds a one-hot block weighted by ``category_weight``."""

    def __init__(
        self,
        dim: int = 256,
        seed: int = 0,
        *,
        place_weight: float = PLACE_WEIGHT,
        category_weight: float = CATEGORY_WEIGHT,
        place_terms=(),
    ):
        self.dim = dim
        self.seed = seed
        self.place_weight = place_weight
        self.category_weight = category_weight
        self.place_terms = frozenset(segment.normalize(t) for t in place_terms if len(t) >= 2)
        self.categories: list[str] = []
        self.words = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            min_df=2,
            max_df=0.3,
            max_features=200_000,
            dtype=np.float32,
        )
        self.chars = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            min_df=2,
            max_df=0.3,
            max_features=200_000,
            dtype=np.float32,
        )
        self.svd: TruncatedSVD | None = None
        self.vocabulary: np.ndarray | None = None
        self.segmenter: segment.Segmenter | None = None  # set by fit

    @property
    def out_dim(self) -> int:
        return self.dim + (len(self.categories) if self.category_weight else 0)

    def _features(self, texts):
        mark = self.place_weight != 1.0
        # A vectoriser pickled before it had a segmenter of its own cuts with the process-wide one.
        segmenter = getattr(self, "segmenter", None)
        pairs = [features(t, self.place_terms, mark=mark, segmenter=segmenter) for t in texts]
        return [w for w, _ in pairs], [g for _, g in pairs]

    def fit(self, texts: Sequence[str], categories: Sequence | None = None) -> TextVectorizer:
        """Fit on up to ``FIT_SAMPLE`` texts (a deterministic sample; more adds time, not quality)."""
        texts = list(texts)
        if categories is not None:
            seen = sorted({str(c) for c in categories if c not in (None, "")})
            self.categories = seen[:MAX_CATEGORIES]
        # The words the process knows now (the catalogue's places, models' words) are this
        # vectoriser's for good: every process that loads it cuts texts the same way.
        self.segmenter = segment.Segmenter(segment.user_words())
        if len(texts) > FIT_SAMPLE:
            pick = np.random.default_rng(self.seed).choice(len(texts), FIT_SAMPLE, replace=False)
            texts = [texts[i] for i in sorted(pick)]
        toks, grams = self._features(texts)
        w = self.words.fit_transform(toks)
        c = self.chars.fit_transform(grams)
        self.vocabulary = self.words.get_feature_names_out()
        self._word_scale = self._scale(self.vocabulary)
        self._char_scale = self._scale(self.chars.get_feature_names_out())
        x = self._stack(w, c)
        dim = max(1, min(self.dim, x.shape[1] - 1, len(texts) - 1))
        self.svd = TruncatedSVD(dim, algorithm="randomized", n_iter=4, random_state=self.seed).fit(x)
        self.dim = dim
        # Reasons should be words a person recognises (evidence.is_meaningful); places are kept
        # apart so a reason can give the matter's words first and the place after them.
        self._is_place = np.array([_is_place_word(v, self.place_terms) for v in self.vocabulary])
        self._readable = np.array(
            [evidence.is_meaningful(v.removeprefix(PLACE)) for v in self.vocabulary], dtype=np.float32
        )
        return self

    def _scale(self, names) -> np.ndarray:
        return np.array([self.place_weight if n.startswith(PLACE) else 1.0 for n in names], dtype=np.float32)

    def _stack(self, w, c):
        return sp.hstack(
            [w.multiply(self._word_scale[np.newaxis, :]), c.multiply(self._char_scale[np.newaxis, :])],
            format="csr",
        )

    def transform(self, texts: Sequence[str], categories: Sequence | None = None):
        """(vectors float32 [n, out_dim], salient int32 [n, SALIENT_PER_ITEM], -1 padded)."""
        toks, grams = self._features(texts)
        w = self.words.transform(toks)
        x = self._stack(w, self.chars.transform(grams))
        vectors = np.asarray(x @ self._projection(), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms > 0, norms, 1.0)
        if self.category_weight and self.categories:
            # Not renormalised: the inner product is the text cosine plus CATEGORY_WEIGHT² when both
            # sides have the same category, so a query or an item without one is neither helped nor
            # penalised (normalising would scale down every item that has a category).
            vectors = np.hstack([vectors, self.category_block(len(vectors), categories)])
        readable = w.tocsr().multiply(self._readable[np.newaxis, :]).tocsr()
        readable.eliminate_zeros()
        return vectors, _top_terms(readable, SALIENT_PER_ITEM, self._is_place)

    def _projection(self) -> np.ndarray:
        """The SVD's components transposed and contiguous (features × dim): ``svd.transform`` is
        ``x @ components_.T``, and scipy copied that transposed view into row order on every call
        (2.2 of the 2.7 ms an encoding took at 1,000,000 petitions)."""
        projection = self.__dict__.get("_projection_cache")
        if projection is None:
            projection = self._projection_cache = np.ascontiguousarray(self.svd.components_.T)
        return projection

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_projection_cache", None)  # derived: not written with the index
        return state

    def category_block(self, n: int, categories: Sequence | None) -> np.ndarray:
        """The one-hot category columns of ``n`` vectors ([n, 0] when categories are not used)."""
        if not (self.category_weight and self.categories):
            return np.zeros((n, 0), dtype=np.float32)
        block = np.zeros((n, len(self.categories)), dtype=np.float32)
        if categories is not None:
            column = {c: j for j, c in enumerate(self.categories)}
            for i, category in enumerate(categories):
                j = column.get(str(category)) if category not in (None, "") else None
                if j is not None:
                    block[i, j] = self.category_weight
        return block

    def term(self, index: int) -> tuple[str, bool]:
        """(text, is a place name) of a vocabulary index."""
        value = str(self.vocabulary[index])
        return value.removeprefix(PLACE), bool(self._is_place[index])


def _unit_array(units: Sequence) -> np.ndarray:
    """[n, 2] int32 (handling, registering) unit ids, ``NO_UNIT`` for None."""
    out = np.full((len(units), 2), NO_UNIT, dtype=np.int32)
    for i, pair in enumerate(units):
        for j, unit in enumerate(pair):
            if unit is not None:
                out[i, j] = int(unit)
    return out


def _top_terms(w: sp.csr_matrix, k: int, is_place: np.ndarray) -> np.ndarray:
    """Per row the ``k`` highest-weighted terms: matter words first, then at most ``SALIENT_PLACES``
    place names."""
    out = np.full((w.shape[0], k), -1, dtype=np.int32)
    for i in range(w.shape[0]):
        start, end = w.indptr[i], w.indptr[i + 1]
        if start == end:
            continue
        data, cols = w.data[start:end], w.indices[start:end]
        order = cols[np.argsort(-data, kind="stable")]
        places = order[is_place[order]][:SALIENT_PLACES]
        matter = order[~is_place[order]][: k - len(places)]
        chosen = np.concatenate([matter, places])
        out[i, : len(chosen)] = chosen
    return out


class SimilarIndex:
    """HNSW index of petitions keyed by integer id. Build with :meth:`rebuild`, then :meth:`add`."""

    def __init__(self, vectorizer: TextVectorizer, *, m: int = 16, ef_construction: int = 200, ef: int = 128):
        self.vectorizer = vectorizer
        self.m, self.ef_construction, self.ef = m, ef_construction, ef
        self.watermark = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._deleted = np.zeros(0, dtype=bool)
        self._salient = np.zeros((0, SALIENT_PER_ITEM), dtype=np.int32)
        self._units = np.zeros((0, 2), dtype=np.int32)
        self._store = np.zeros((0, vectorizer.out_dim), dtype=np.float32)  # rows ≥ len(_ids) unused
        self._cells: Cells | None = None
        self._cell = np.zeros(0, dtype=np.int16)  # each item's cell (0 while there are no cells)
        self._index = self._new_hnsw(1024)
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None
        self._write_lock = threading.Lock()
        # Units → (their Scope; items seen; moves seen), see scope().
        self._scopes: OrderedDict[tuple, tuple[Scope, int, int]] = OrderedDict()
        self._moved: list[int] = []  # positions whose units changed, in order
        self._scope_lock = threading.Lock()
        self.copies_bytes = SCOPE_COPIES_BYTES  # budget of the scopes' vector copies (a setting)

    # ----- building -------------------------------------------------------------------------------
    @classmethod
    def rebuild(
        cls, rows: Iterable[tuple[int, str]], *, dim: int = 256, watermark: int | None = None, **hnsw
    ) -> SimilarIndex:
        """Fit the vectoriser on ``rows`` (id, text) and index them all."""
        rows = [tuple(r) for r in rows]
        categories = [r[2] if len(r) > 2 else None for r in rows]
        index = cls(TextVectorizer(dim).fit([r[1] for r in rows], categories), **hnsw)
        index.add(rows, watermark=watermark)
        return index

    def _new_hnsw(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=self.vectorizer.out_dim)
        index.init_index(max_elements=capacity, M=self.m, ef_construction=self.ef_construction, random_seed=0)
        index.set_ef(self.ef)
        return index

    def __len__(self) -> int:
        return int((~self._deleted).sum())

    def add(
        self, rows: Iterable[tuple[int, str]], *, watermark: int | None = None, batch: int = 20_000
    ) -> int:
        """Index (id, text), (id, text, category) or (id, text, category, handling unit id, registering
        unit id) rows; an id already present is replaced. Returns the number added.

        The watermark becomes max(old watermark, ``watermark`` or the highest id added).
        """
        added = 0
        rows = iter(rows)
        while True:
            chunk = [r for _, r in zip(range(batch), rows, strict=False)]
            if not chunk:
                break
            categories = [r[2] if len(r) > 2 else None for r in chunk]
            vectors, salient = self.vectorizer.transform([r[1] for r in chunk], categories)
            units = [r[3:5] if len(r) > 4 else (None, None) for r in chunk]
            added += self.add_encoded([r[0] for r in chunk], vectors, salient, units)
        if watermark is not None:
            self.watermark = max(self.watermark, int(watermark))
        return added

    def add_encoded(
        self, ids: Sequence[int], vectors: np.ndarray, salient: np.ndarray, units: Sequence | None = None
    ) -> int:
        """Add rows already passed through ``self.vectorizer.transform`` (e.g. in worker processes);
        ``units`` gives each row's (handling unit id, registering unit id), None for none."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return 0
        unit_rows = _unit_array(units if units is not None else [(None, None)] * len(ids))
        with self._write_lock:
            self._mark_deleted(ids)
            start = len(self._ids)
            need = start + len(ids)
            if need > self._index.get_max_elements():
                self._index.resize_index(max(need, int(self._index.get_max_elements() * 1.5)))
            self._index.add_items(vectors, np.arange(start, need))
            if need > len(self._store):  # grown by half again, so adding one row is not a full copy
                grown = np.zeros((max(need, int(len(self._store) * 1.5)), self._store.shape[1]), np.float32)
                grown[:start] = self._store[:start]
                self._store = grown
            self._store[start:need] = vectors
            self._units = np.concatenate([self._units, unit_rows])
            cell = self._cells.assign(vectors) if self._cells is not None else np.zeros(len(ids), np.int16)
            self._cell = np.concatenate([self._cell, cell.astype(np.int16)])
            self._ids = np.concatenate([self._ids, ids])
            self._deleted = np.concatenate([self._deleted, np.zeros(len(ids), dtype=bool)])
            self._salient = np.concatenate([self._salient, salient.astype(np.int32)])
            self._extend_lookup(ids, np.arange(start, need))
            self.watermark = max(self.watermark, int(ids.max()))
        return len(ids)

    def fit_cells(self, *, min_items: int | None = None) -> int:
        """Partition the stored vectors into cells (cells.py) when there are at least ``min_items``
        (more than ``BRUTE_FORCE_MAX``) live items, and put every item in one. Returns the number of cells."""
        live = np.flatnonzero(~self._deleted)
        if len(live) <= (BRUTE_FORCE_MAX if min_items is None else min_items):
            return 0
        cells = Cells.fit(self._store[live[Cells.sample(len(live))]], len(live))
        assigned = cells.assign(self._store[: len(self._ids)])
        with self._write_lock, self._scope_lock:
            self._scopes.clear()  # kept scopes grouped by the old cells
            # Rows added meanwhile (none in a rebuild) are assigned after the swap.
            extra = self._store[len(assigned) : len(self._ids)]
            self._cell = np.concatenate([assigned, cells.assign(extra)]).astype(np.int16)
            self._cells = cells
        return len(cells)

    def scores_cheaply(self, n_positions: int) -> bool:
        """Whether a scope of ``n_positions`` items is searched without the filtered graph search."""
        return n_positions <= BRUTE_FORCE_MAX or self._cells is not None

    def remove(self, ids: Iterable[int]) -> int:
        """Drop petitions from results (hnswlib mark_deleted); unknown ids are ignored."""
        with self._write_lock:
            return self._mark_deleted(np.fromiter((int(i) for i in ids), dtype=np.int64))

    def set_units(self, rows: Iterable[tuple[int, int | None, int | None]]) -> int:
        """Record (id, handling unit id, registering unit id) of items already indexed (a matter
        routed or transferred); unknown ids are ignored. Returns the number of items updated."""
        rows = list(rows)
        if not rows or not len(self._ids):
            return 0
        with self._write_lock:
            done = 0
            for pid, handling, registering in rows:
                positions = self._positions(np.array([int(pid)], dtype=np.int64))
                new = _unit_array([(handling, registering)])
                changed = positions[(self._units[positions] != new).any(axis=1)]
                self._units[positions] = new
                self._moved.extend(changed.tolist())
                done += len(positions)
            if len(self._moved) > MOVED_MAX:
                with self._scope_lock:
                    self._scopes.clear()
                    self._moved = []
            return done

    def _extend_lookup(self, ids: np.ndarray, positions: np.ndarray) -> None:
        """Put added rows into the sorted lookup by insertion instead of sorting every id again on
        the next stored-vector query (after each catch-up): at 1,000,000 ids, 2 % out of order,
        2.4 ms against 15.5 ms (medians of 15). Rows with an equal id keep position order, as the
        stable argsort gives."""
        if self._lookup is None:
            return
        sorted_ids, order = self._lookup
        by_id = np.argsort(ids, kind="stable")
        at = np.searchsorted(sorted_ids, ids[by_id], side="right")
        self._lookup = (np.insert(sorted_ids, at, ids[by_id]), np.insert(order, at, positions[by_id]))

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Live positions holding any of ``ids`` (sorted lookup, rebuilt lazily after writes)."""
        if self._lookup is None:
            order = np.argsort(self._ids, kind="stable")
            self._lookup = (self._ids[order], order)
        sorted_ids, order = self._lookup
        lo = np.searchsorted(sorted_ids, ids, side="left")
        hi = np.searchsorted(sorted_ids, ids, side="right")
        found = [order[a:b] for a, b in zip(lo, hi, strict=True) if b > a]
        if not found:
            return np.zeros(0, dtype=np.int64)
        positions = np.concatenate(found)
        return positions[~self._deleted[positions]]

    def _mark_deleted(self, ids: np.ndarray) -> int:
        positions = self._positions(ids) if len(self._ids) else np.zeros(0, dtype=np.int64)
        for position in positions:
            self._index.mark_deleted(int(position))
        self._deleted[positions] = True
        return len(positions)

    # ----- querying -------------------------------------------------------------------------------
    def query(
        self, text: str, k: int = 10, exclude_ids: Iterable[int] = (), category=None
    ) -> list[SimilarMatch]:
        """The ``k`` most similar indexed petitions, best first, without ``exclude_ids``."""
        vectors, salient = self.vectorizer.transform([text], [category])
        return self.query_vectors(vectors, salient, k=k, exclude_ids=exclude_ids)[0]

    def query_vectors(self, vectors, salient, *, k: int = 10, exclude_ids: Iterable[int] = ()):
        exclude = set(int(i) for i in exclude_ids)
        live = len(self)
        if live == 0:
            return [[] for _ in range(len(vectors))]
        fetch = min(live, k + len(exclude))
        self._index.set_ef(max(self.ef, fetch))
        try:
            positions, distances = self._index.knn_query(vectors, k=fetch)
        except RuntimeError:
            # hnswlib cannot fill k slots when deletions leave parts of a small graph unreachable
            self._index.set_ef(max(self.ef, fetch) * 4)
            positions, distances = self._index.knn_query(vectors, k=fetch)
        results = []
        for row in range(len(vectors)):
            query_terms = [t for t in salient[row] if t >= 0]
            matches = []
            for position, distance in zip(positions[row], distances[row], strict=True):
                pid = int(self._ids[position])
                if pid in exclude:
                    continue
                reason = self.reason(query_terms, position)
                # Capped at 1: the category bonus can lift the inner product of a near-copy above it.
                score = min(1.0, float(1.0 - distance))
                matches.append(SimilarMatch(id=pid, score=round(score, 4), reason=reason))
                if len(matches) == k:
                    break
            results.append(matches)
        return results

    def stored(self, pid: int, category=None) -> tuple[np.ndarray, np.ndarray] | None:
        """(vector [1, out_dim], salient [1, n]) of petition ``pid`` as the index holds them (its text
        when it was added or last edited), the category columns those of ``category``: what
        ``vectorizer.transform`` gives for its text and that category. None if not indexed."""
        positions = self._positions(np.array([int(pid)], dtype=np.int64)) if len(self._ids) else ()
        if not len(positions):
            return None
        p = int(positions[-1])
        vector = self._store[p : p + 1].copy()
        # A category change does not re-encode an item: its category columns are set here.
        vector[:, self.vectorizer.dim :] = self.vectorizer.category_block(1, [category])
        return vector, self._salient[p : p + 1].copy()

    def within(self, unit_ids: Iterable[int]) -> np.ndarray:
        """Live positions of the items whose handling or registering unit is one of ``unit_ids``."""
        return self.live(self.scope(unit_ids))

    def live(self, scope: Scope) -> np.ndarray:
        return scope.positions[~self._deleted[scope.positions]]

    def scope(self, unit_ids: Iterable[int]) -> Scope:
        """The items whose handling or registering unit is one of ``unit_ids``, deleted ones included
        (kept for the next query and brought up to date then)."""
        wanted = np.fromiter((int(u) for u in unit_ids), dtype=np.int64)
        n = len(self._ids)
        wanted = wanted[wanted > 0]
        if not len(wanted) or not n:
            return Scope(np.zeros(0, dtype=np.int64))
        table = np.zeros(int(wanted.max()) + 2, dtype=bool)
        table[wanted] = True
        key = tuple(np.unique(wanted).tolist())
        with self._scope_lock:
            cached = self._scopes.get(key)
            moved = len(self._moved)
            if cached is None:
                scope = Scope(np.flatnonzero(self._in_units(table, slice(0, n))))
            else:
                scope, seen, moved_seen = cached
                positions = scope.positions
                if moved > moved_seen:  # items moved since: drop them, take back those now inside
                    again = np.unique(np.asarray(self._moved[moved_seen:moved], dtype=np.int64))
                    positions = np.union1d(
                        positions[~np.isin(positions, again)], again[self._in_units(table, again)]
                    )
                if n > seen:  # items added since, all after the cached ones
                    added = seen + np.flatnonzero(self._in_units(table, slice(seen, n)))
                    positions = np.concatenate([positions, added])
                if positions is not scope.positions and not np.array_equal(positions, scope.positions):
                    scope = Scope(positions)  # changed: its copy of the vectors goes
            self._scopes[key] = (scope, n, moved)
            self._scopes.move_to_end(key)
            while len(self._scopes) > SCOPE_CACHE:
                self._scopes.popitem(last=False)
        return scope

    def _copy_of(self, scope: Scope) -> np.ndarray | None:
        """The scope's vectors as one contiguous array, made now if the budget allows (the copies
        of the least recently used scopes are dropped to make room); None when it does not."""
        if scope.vectors is not None:
            return scope.vectors
        size = len(scope.positions) * self._store.shape[1] * self._store.itemsize
        if not COPY_MIN <= len(scope.positions) <= BRUTE_FORCE_MAX or size > self.copies_bytes:
            return None
        with self._scope_lock:
            held = [entry[0] for entry in self._scopes.values() if entry[0].vectors is not None]
            total = sum(s.vectors.nbytes for s in held)
            for other in held:  # least recently used first
                if total + size <= self.copies_bytes:
                    break
                total -= other.vectors.nbytes
                other.vectors = None
        copy = np.empty((len(scope.positions), self._store.shape[1]), dtype=np.float32)
        for start in range(0, len(scope.positions), GATHER_BLOCK):
            block = scope.positions[start : start + GATHER_BLOCK]
            copy[start : start + len(block)] = self._store[block]
        scope.vectors = copy
        return copy

    def _in_units(self, table: np.ndarray, at) -> np.ndarray:
        """Whether the items ``at`` (a slice or positions) are handled or registered by a unit marked
        in ``table``: a lookup table clipped at both ends, so NO_UNIT (-1) reads slot 0 and a unit
        above the wanted ones the last slot, both False (take with clip: 2.4 ms at 1,000,000 items,
        where fancy indexing and the units' maximum took 4.2)."""
        units = self._units[at]
        hit = table.take(units[:, 0], mode="clip")
        hit |= table.take(units[:, 1], mode="clip")
        return hit

    def query_scope(
        self, vector: np.ndarray, salient: np.ndarray, scope: Scope, *, k: int, exclude_ids=()
    ) -> list[SimilarMatch]:
        """:meth:`query_within` the scope's live items, scoring the scope's copy of its vectors when
        it has one or may make one."""
        if len(scope.positions) > BRUTE_FORCE_MAX and self._cells is not None:
            return self._query_cells(vector, salient, scope, k=k, exclude_ids=exclude_ids)
        copy = self._copy_of(scope)
        if copy is None:
            return self.query_within(vector, salient, self.live(scope), k=k, exclude_ids=exclude_ids)
        positions = scope.positions
        sims = copy @ np.asarray(vector, dtype=np.float32).reshape(-1)
        out = self._deleted[positions] | self._holding(positions, exclude_ids)
        k = min(k, len(positions) - int(out.sum()))
        if k <= 0:
            return []
        sims[out] = -np.inf
        return self._matches(salient, positions, sims, k)

    def _query_cells(self, vector, salient, scope: Scope, *, k: int, exclude_ids=()) -> list[SimilarMatch]:
        """A large scope's items in the cells nearest the query (the scope grouped by cell once)."""
        cells = self._cells
        if scope.by_cell is None:
            scope.by_cell = ByCell(scope.positions, self._cell[scope.positions], len(cells))
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        positions = scope.by_cell.of(cells.nearest(query, scope.by_cell.counts))
        positions = positions[~self._deleted[positions] & ~self._holding(positions, exclude_ids)]
        k = min(k, len(positions))
        if k <= 0:
            return []
        return self._matches(salient, positions, self._scores(positions, query), k)

    def query_within(
        self, vector: np.ndarray, salient: np.ndarray, positions: np.ndarray, *, k: int, exclude_ids=()
    ) -> list[SimilarMatch]:
        """The ``k`` items among ``positions`` (from :meth:`within`) most similar to one encoded query,
        best first, without ``exclude_ids``. Scored exactly up to ``BRUTE_FORCE_MAX`` positions; above,
        the positions in the cells nearest the query are scored when the index has cells, else an HNSW
        search only accepts those positions. Fewer than ``k`` means the set is exhausted."""
        positions = positions[~self._holding(positions, exclude_ids)]
        k = min(k, len(positions))
        if k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        found = None
        if len(positions) > BRUTE_FORCE_MAX and self._cells is not None:
            positions = positions[self._cells.candidates(query, self._cell[positions])]
        elif len(positions) > BRUTE_FORCE_MAX:
            allowed = np.zeros(len(self._ids), dtype=bool)
            allowed[positions] = True
            self._index.set_ef(max(self.ef, k))
            try:
                labels, distances = self._index.knn_query(
                    query[np.newaxis, :], k=k, filter=lambda label: bool(allowed[label])
                )
                found = [(int(p), 1.0 - float(d)) for p, d in zip(labels[0], distances[0], strict=True)]
            except RuntimeError:  # the graph search could not reach k allowed items: score them all
                found = None
        if found is None:
            return self._matches(salient, positions, self._scores(positions, query), k)
        return self._as_matches(salient, found)

    def _holding(self, positions: np.ndarray, ids: Iterable[int]) -> np.ndarray:
        """Which of ``positions`` hold one of ``ids``. The ids' own positions are looked up and found
        in ``positions`` by bisection when they are sorted (as within() gives them): comparing the
        ids of a bureau's 544,000 items with a few dozen took 6 ms."""
        held = np.zeros(len(positions), dtype=bool)
        ids = np.fromiter((int(i) for i in ids), dtype=np.int64)
        if not len(ids) or not len(positions):
            return held
        if np.any(positions[1:] < positions[:-1]):
            return np.isin(self._ids[positions], ids)
        wanted = self._positions(ids)
        at = np.searchsorted(positions, wanted)
        found = at < len(positions)
        found[found] = positions[at[found]] == wanted[found]
        held[at[found]] = True
        return held

    def _matches(self, salient, positions: np.ndarray, sims: np.ndarray, k: int) -> list[SimilarMatch]:
        """The ``k`` best of ``positions`` by ``sims``, best first."""
        best = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
        best = best[np.argsort(-sims[best], kind="stable")]
        return self._as_matches(salient, [(int(positions[b]), float(sims[b])) for b in best])

    def _as_matches(self, salient, found) -> list[SimilarMatch]:
        terms = [t for t in salient.reshape(-1) if t >= 0]
        return [
            SimilarMatch(id=int(self._ids[p]), score=round(min(1.0, s), 4), reason=self.reason(terms, p))
            for p, s in found
        ]

    def _scores(self, positions: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Inner products of the stored vectors at ``positions`` with ``query``, a block at a time."""
        out = np.empty(len(positions), dtype=np.float32)
        for start in range(0, len(positions), GATHER_BLOCK):
            block = positions[start : start + GATHER_BLOCK]
            out[start : start + len(block)] = self._store[block] @ query
        return out

    def reason(self, query_terms, position: int) -> list[str]:
        """Why an item matched: the salient matter words both share, then "地点：" the shared place."""
        shared = set(self._salient[position].tolist())
        matter, places = [], []
        for t in query_terms:
            if t in shared:
                text, is_place = self.vectorizer.term(t)
                (places if is_place else matter).append(text)
        return matter[:5] + [f"地点：{p}" for p in places[:1]]

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(live ids, their stored vectors) for brute-force checks."""
        positions = np.flatnonzero(~self._deleted)
        return self._ids[positions], self._store[positions]

    # ----- persistence ----------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write every file to a temporary name, then rename; ``meta.json`` goes last."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._write_lock:
            self._index.save_index(str(directory / "index.bin.tmp"))
            joblib.dump(self.vectorizer, directory / "vectorizer.joblib.tmp")
            with open(directory / "items.npz.tmp", "wb") as handle:
                np.savez(
                    handle, ids=self._ids, deleted=self._deleted, salient=self._salient, units=self._units
                )
            with open(directory / "vectors.npy.tmp", "wb") as handle:
                np.save(handle, self._store[: len(self._ids)])
            names = ["index.bin", "vectorizer.joblib", "items.npz", "vectors.npy"]
            if self._cells is not None:
                with open(directory / "cells.npz.tmp", "wb") as handle:
                    np.savez(handle, centroids=self._cells.centroids, cell=self._cell)
                names.append("cells.npz")
            else:
                (directory / "cells.npz").unlink(missing_ok=True)
            meta = {
                "format_version": FORMAT_VERSION,
                "watermark": self.watermark,
                "n_items": len(self._ids),
                "n_live": len(self),
                "dim": self.vectorizer.out_dim,
                "m": self.m,
                "ef_construction": self.ef_construction,
                "ef": self.ef,
                "cells": len(self._cells) if self._cells is not None else 0,
                "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "versions": {"hnswlib": getattr(hnswlib, "__version__", "0.8.0")},
            }
            for name in names:
                (directory / f"{name}.tmp").replace(directory / name)
            (directory / "meta.json.tmp").write_text(json.dumps(meta, indent=2), encoding="utf-8")
            (directory / "meta.json.tmp").replace(directory / "meta.json")
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> SimilarIndex:
        """Load a saved index; raises ValueError if the files disagree (rebuild in that case)."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        vectorizer = joblib.load(directory / "vectorizer.joblib")
        index = cls(vectorizer, m=meta["m"], ef_construction=meta["ef_construction"], ef=meta["ef"])
        if meta.get("format_version") != FORMAT_VERSION:
            raise ValueError("similar index of an older format; rebuild the index")
        with np.load(directory / "items.npz") as items:
            index._ids, index._deleted, index._salient = items["ids"], items["deleted"], items["salient"]
            index._units = items["units"]
        index._store = np.load(directory / "vectors.npy")
        index._cell = np.zeros(len(index._ids), dtype=np.int16)
        if meta.get("cells") and (directory / "cells.npz").exists():  # absent: saved before cells
            with np.load(directory / "cells.npz") as cells:
                index._cells, index._cell = Cells(cells["centroids"]), cells["cell"].astype(np.int16)
        if (
            not len(index._ids)
            == len(index._units)
            == len(index._store)
            == len(index._cell)
            == meta["n_items"]
        ):
            raise ValueError("similar index files are inconsistent; rebuild the index")
        hnsw = hnswlib.Index(space="ip", dim=vectorizer.out_dim)
        hnsw.load_index(str(directory / "index.bin"), max_elements=max(len(index._ids), 1024))
        hnsw.set_ef(index.ef)
        if hnsw.get_current_count() != len(index._ids):
            raise ValueError("similar index files are inconsistent; rebuild the index")
        index._index = hnsw
        index.watermark = int(meta["watermark"])
        return index
