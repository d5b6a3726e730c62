"""Coarse cells of the similar-matter vectors, so a large scope is not scored item by item.

A k-means partition of the stored vectors (fitted at an index rebuild on a sample, every item then
put in its nearest cell). A query confined to a large scope scores only the scope's items in the
cells nearest the query: the probed cells, nearest first, until ``PROBE_SHARE`` of the scope (at least
``MIN_CANDIDATES`` items) is reached. Near matters share a cell or lie in neighbouring ones, so the
exact top ten of the scope is almost always among them; the figures at 1,000,000 petitions are in
bench/README.md ("The sixth 1,000,000 database").

Used for scopes above ``similar.BRUTE_FORCE_MAX`` (a bureau's own matters at 1,000,000 petitions:
544,000), where scoring every item reads too much memory (1 KB a vector) and the graph search with
a filter calls Python for every node it visits. Measured there on 200 random queries, 2 % of the scope
(11,300 items) kept the exact top ten whole (0.99 at 1 %); for a department's 49,000 matters cells
kept only 0.86 of it at 15 %, so smaller scopes are scored item by item.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans

ITEMS_PER_CELL = 1_000  # cells = items / this, clipped to [MIN_CELLS, MAX_CELLS]
MIN_CELLS, MAX_CELLS = 16, 1_024
FIT_SAMPLE = 60_000
ASSIGN_CHUNK = 16_384
PROBE_SHARE = 0.02
MIN_CANDIDATES = 10_000


class Cells:
    """Centroids ``[c, dim]`` and the rule that puts a vector in its nearest one."""

    def __init__(self, centroids: np.ndarray):
        self.centroids = np.ascontiguousarray(centroids, dtype=np.float32)
        # Nearest centroid by Euclidean distance = largest x·c − |c|²/2 (one matrix product).
        self._half_norms = 0.5 * np.einsum("ij,ij->i", self.centroids, self.centroids)

    def __len__(self) -> int:
        return len(self.centroids)

    @staticmethod
    def sample(n: int, *, seed: int = 0) -> np.ndarray:
        """Which of ``n`` rows to fit on: up to ``FIT_SAMPLE`` of them, a deterministic sample."""
        if n <= FIT_SAMPLE:
            return np.arange(n)
        return np.sort(np.random.default_rng(seed).choice(n, FIT_SAMPLE, replace=False))

    @classmethod
    def fit(cls, sample: np.ndarray, n_items: int, *, seed: int = 0) -> Cells:
        """Fit cells for ``n_items`` vectors on ``sample`` (some of them: :meth:`sample`)."""
        k = int(np.clip(n_items // ITEMS_PER_CELL, MIN_CELLS, MAX_CELLS))
        k = max(1, min(k, len(sample)))
        model = KMeans(n_clusters=k, n_init=1, max_iter=25, random_state=seed).fit(sample)
        return cls(model.cluster_centers_)

    def affinity(self, vectors: np.ndarray) -> np.ndarray:
        """[n, c]: larger is nearer."""
        return np.asarray(vectors, dtype=np.float32) @ self.centroids.T - self._half_norms

    def assign(self, vectors: np.ndarray) -> np.ndarray:
        """The nearest cell of each row (int16 when there are few enough cells)."""
        out = np.empty(len(vectors), dtype=np.int16 if len(self) < 2**15 else np.int32)
        for start in range(0, len(vectors), ASSIGN_CHUNK):
            block = vectors[start : start + ASSIGN_CHUNK]
            out[start : start + len(block)] = self.affinity(block).argmax(axis=1)
        return out

    def candidates(self, query: np.ndarray, cell_of: np.ndarray) -> np.ndarray:
        """Which of the scope's items (``cell_of``: their cells) to score for ``query``: a boolean
        mask, the items of the query's nearest cells until ``PROBE_SHARE`` of the scope."""
        chosen = np.zeros(len(self), dtype=bool)
        chosen[self.nearest(query, np.bincount(cell_of, minlength=len(self)))] = True
        return chosen[cell_of]

    def nearest(self, query: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """The cells to probe for ``query``, nearest first, when a scope holds ``counts[c]`` items in
        cell c: until ``PROBE_SHARE`` of its items (at least ``MIN_CANDIDATES``); every cell when
        that is all of them."""
        total = int(counts.sum())
        want = max(MIN_CANDIDATES, int(PROBE_SHARE * total))
        order = np.argsort(-self.affinity(query[np.newaxis, :])[0], kind="stable")
        if want >= total:
            return order
        probed = int(np.searchsorted(np.cumsum(counts[order]), want)) + 1
        return order[:probed]


class ByCell:
    """A scope's positions grouped by cell, so the items of a few cells are read without a pass
    over the whole scope (a bureau's 544,000 items: 4 ms of passes a query before)."""

    def __init__(self, positions: np.ndarray, cell_of: np.ndarray, n_cells: int):
        order = np.argsort(cell_of, kind="stable")
        self.positions = positions[order]
        self.starts = np.searchsorted(cell_of[order], np.arange(n_cells + 1))
        self.counts = np.diff(self.starts)

    def of(self, cells: np.ndarray) -> np.ndarray:
        """The positions in ``cells``, sorted."""
        parts = [self.positions[self.starts[c] : self.starts[c + 1]] for c in cells.tolist()]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
