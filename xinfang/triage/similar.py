"""Similar-matter index: nearest earlier petitions by text (pure Python: scikit-learn + hnswlib).

Pipeline: jieba words + character bigrams → TF-IDF → TruncatedSVD to ``dim`` dimensions → L2-normalised
float32 → hnswlib inner-product HNSW graph. Scores are cosine similarities of the reduced vectors.
Each item also keeps its ``SALIENT_PER_ITEM`` highest-weighted words (as vocabulary indexes, not text),
so a match can say which salient words it shares with the query without storing petition texts.

Persistence (one directory): ``index.bin`` (hnswlib), ``vectorizer.joblib`` (TF-IDF + SVD),
``items.npz`` (position → petition id, deleted flags, salient words) and ``meta.json`` written last
(watermark, counts, settings). The watermark is the highest petition id — or whatever monotonically
increasing event number the caller passes — included, so a server can load the directory and catch up
with ``add(rows with id > watermark)``. The index is not safe for concurrent writers; queries may run
concurrently with each other.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import hnswlib
import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from xinfang.triage import segment

SALIENT_PER_ITEM = 8
FIT_SAMPLE = 60_000
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SimilarMatch:
    id: int
    score: float
    reason: list[str]


def _identity(tokens):
    return tokens


def _char_bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


class TextVectorizer:
    """Maps texts to L2-normalised float32 vectors, and to their most salient word indexes."""

    def __init__(self, dim: int = 256, seed: int = 0):
        self.dim = dim
        self.seed = seed
        self.words = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            min_df=2,
            max_df=0.3,
            max_features=200_000,
            dtype=np.float32,
        )
        self.chars = TfidfVectorizer(
            analyzer=_char_bigrams,
            sublinear_tf=True,
            min_df=2,
            max_df=0.3,
            max_features=200_000,
            dtype=np.float32,
        )
        self.svd: TruncatedSVD | None = None
        self.vocabulary: np.ndarray | None = None

    def fit(self, texts: Sequence[str]) -> TextVectorizer:
        """Fit on up to ``FIT_SAMPLE`` texts (a deterministic sample; more adds time, not quality)."""
        texts = list(texts)
        if len(texts) > FIT_SAMPLE:
            pick = np.random.default_rng(self.seed).choice(len(texts), FIT_SAMPLE, replace=False)
            texts = [texts[i] for i in sorted(pick)]
        toks = [segment.words(t) for t in texts]
        chars = [segment.char_text(t) for t in texts]
        x = sp.hstack([self.words.fit_transform(toks), self.chars.fit_transform(chars)], format="csr")
        dim = max(1, min(self.dim, x.shape[1] - 1, len(texts) - 1))
        self.svd = TruncatedSVD(dim, algorithm="randomized", n_iter=4, random_state=self.seed).fit(x)
        self.dim = dim
        self.vocabulary = self.words.get_feature_names_out()
        # Reasons should be words a person recognises: no single characters, no masked-name token.
        self._readable = np.array(
            [len(v) >= 2 and v != segment.MASK_TOKEN for v in self.vocabulary], dtype=np.float32
        )
        return self

    def transform(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors float32 [n, dim], salient int32 [n, SALIENT_PER_ITEM], -1 padded)."""
        toks = [segment.words(t) for t in texts]
        w = self.words.transform(toks)
        x = sp.hstack([w, self.chars.transform([segment.char_text(t) for t in texts])], format="csr")
        vectors = np.asarray(self.svd.transform(x), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms > 0, norms, 1.0)
        readable = w.tocsr().multiply(self._readable[np.newaxis, :]).tocsr()
        readable.eliminate_zeros()
        return vectors, _top_terms(readable, SALIENT_PER_ITEM)


def _top_terms(w: sp.csr_matrix, k: int) -> np.ndarray:
    out = np.full((w.shape[0], k), -1, dtype=np.int32)
    for i in range(w.shape[0]):
        start, end = w.indptr[i], w.indptr[i + 1]
        if start == end:
            continue
        data, cols = w.data[start:end], w.indices[start:end]
        order = np.argsort(-data, kind="stable")[:k]
        out[i, : len(order)] = cols[order]
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
        self._index = self._new_hnsw(1024)
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None
        self._write_lock = threading.Lock()

    # ----- building -------------------------------------------------------------------------------
    @classmethod
    def rebuild(
        cls, rows: Iterable[tuple[int, str]], *, dim: int = 256, watermark: int | None = None, **hnsw
    ) -> SimilarIndex:
        """Fit the vectoriser on ``rows`` (id, text) and index them all."""
        rows = list(rows)
        index = cls(TextVectorizer(dim).fit([t for _, t in rows]), **hnsw)
        index.add(rows, watermark=watermark)
        return index

    def _new_hnsw(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=self.vectorizer.dim)
        index.init_index(max_elements=capacity, M=self.m, ef_construction=self.ef_construction, random_seed=0)
        index.set_ef(self.ef)
        return index

    def __len__(self) -> int:
        return int((~self._deleted).sum())

    def add(
        self, rows: Iterable[tuple[int, str]], *, watermark: int | None = None, batch: int = 20_000
    ) -> int:
        """Index (id, text) rows; an id already present is replaced. Returns the number added.

        The watermark becomes max(old watermark, ``watermark`` or the highest id added).
        """
        added = 0
        rows = iter(rows)
        while True:
            chunk = [r for _, r in zip(range(batch), rows, strict=False)]
            if not chunk:
                break
            vectors, salient = self.vectorizer.transform([t for _, t in chunk])
            added += self.add_encoded([i for i, _ in chunk], vectors, salient)
        if watermark is not None:
            self.watermark = max(self.watermark, int(watermark))
        return added

    def add_encoded(self, ids: Sequence[int], vectors: np.ndarray, salient: np.ndarray) -> int:
        """Add rows already passed through ``self.vectorizer.transform`` (e.g. in worker processes)."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return 0
        with self._write_lock:
            self._mark_deleted(ids)
            start = len(self._ids)
            need = start + len(ids)
            if need > self._index.get_max_elements():
                self._index.resize_index(max(need, int(self._index.get_max_elements() * 1.5)))
            self._index.add_items(vectors, np.arange(start, need))
            self._ids = np.concatenate([self._ids, ids])
            self._deleted = np.concatenate([self._deleted, np.zeros(len(ids), dtype=bool)])
            self._salient = np.concatenate([self._salient, salient.astype(np.int32)])
            self._lookup = None
            self.watermark = max(self.watermark, int(ids.max()))
        return len(ids)

    def remove(self, ids: Iterable[int]) -> int:
        """Drop petitions from results (hnswlib mark_deleted); unknown ids are ignored."""
        with self._write_lock:
            return self._mark_deleted(np.fromiter((int(i) for i in ids), dtype=np.int64))

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
    def query(self, text: str, k: int = 10, exclude_ids: Iterable[int] = ()) -> list[SimilarMatch]:
        """The ``k`` most similar indexed petitions, best first, without ``exclude_ids``."""
        vectors, salient = self.vectorizer.transform([text])
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
        vocabulary = self.vectorizer.vocabulary
        results = []
        for row in range(len(vectors)):
            query_terms = [t for t in salient[row] if t >= 0]
            matches = []
            for position, distance in zip(positions[row], distances[row], strict=True):
                pid = int(self._ids[position])
                if pid in exclude:
                    continue
                shared = set(self._salient[position].tolist())
                reason = [str(vocabulary[t]) for t in query_terms if t in shared][:5]
                matches.append(SimilarMatch(id=pid, score=round(float(1.0 - distance), 4), reason=reason))
                if len(matches) == k:
                    break
            results.append(matches)
        return results

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(live ids, their stored vectors) for brute-force checks."""
        positions = np.flatnonzero(~self._deleted)
        return self._ids[positions], np.asarray(self._index.get_items(positions), dtype=np.float32)

    # ----- persistence ----------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write every file to a temporary name, then rename; ``meta.json`` goes last."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._write_lock:
            self._index.save_index(str(directory / "index.bin.tmp"))
            joblib.dump(self.vectorizer, directory / "vectorizer.joblib.tmp")
            with open(directory / "items.npz.tmp", "wb") as handle:
                np.savez(handle, ids=self._ids, deleted=self._deleted, salient=self._salient)
            meta = {
                "format_version": FORMAT_VERSION,
                "watermark": self.watermark,
                "n_items": len(self._ids),
                "n_live": len(self),
                "dim": self.vectorizer.dim,
                "m": self.m,
                "ef_construction": self.ef_construction,
                "ef": self.ef,
                "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "versions": {"hnswlib": getattr(hnswlib, "__version__", "0.8.0")},
            }
            for name in ("index.bin", "vectorizer.joblib", "items.npz"):
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
        with np.load(directory / "items.npz") as items:
            index._ids, index._deleted, index._salient = items["ids"], items["deleted"], items["salient"]
        if len(index._ids) != meta["n_items"]:
            raise ValueError("similar index files are inconsistent; rebuild the index")
        hnsw = hnswlib.Index(space="ip", dim=vectorizer.dim)
        hnsw.load_index(str(directory / "index.bin"), max_elements=max(len(index._ids), 1024))
        hnsw.set_ef(index.ef)
        if hnsw.get_current_count() != len(index._ids):
            raise ValueError("similar index files are inconsistent; rebuild the index")
        index._index = hnsw
        index.watermark = int(meta["watermark"])
        return index
