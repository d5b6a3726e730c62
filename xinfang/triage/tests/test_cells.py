"""Cells of the similar-matter index: a large scope is scored in the cells nearest the query."""

import numpy as np
import pytest

from xinfang.triage import cells as cells_module
from xinfang.triage import similar
from xinfang.triage.cells import Cells
from xinfang.triage.similar import SimilarIndex

from .test_similar import _brute_force_within, _rows, _with_units


def _clustered(n, dim=16, groups=8, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((groups, dim)).astype(np.float32) * 4
    labels = rng.integers(0, groups, n)
    return (centres[labels] + rng.standard_normal((n, dim)).astype(np.float32)).astype(np.float32), labels


def test_each_vector_goes_to_its_nearest_centroid_and_the_groups_are_found():
    vectors, labels = _clustered(3_000)
    cells = Cells.fit(vectors, len(vectors))
    assigned = cells.assign(vectors)
    distances = ((vectors[:, None, :] - cells.centroids[None, :, :]) ** 2).sum(axis=2)
    assert np.array_equal(assigned, distances.argmin(axis=1))
    # Each true group lies in cells of its own (k-means cannot join two far groups in one cell).
    for cell in np.unique(assigned):
        assert len(set(labels[assigned == cell].tolist())) == 1


def test_the_nearest_cells_are_probed_first_until_the_share_is_reached(monkeypatch):
    monkeypatch.setattr(cells_module, "MIN_CANDIDATES", 10)
    monkeypatch.setattr(cells_module, "PROBE_SHARE", 0.2)
    vectors, _ = _clustered(3_000)
    cells = Cells.fit(vectors, len(vectors))
    cell_of = cells.assign(vectors)
    query = vectors[0]
    mask = cells.candidates(query, cell_of)
    assert mask.sum() >= 0.2 * len(vectors)
    assert mask[cell_of == cell_of[0]].all()  # the query's own cell is always scored
    nearest_first = np.argsort(-cells.affinity(query[None, :])[0], kind="stable")
    probed = set(np.unique(cell_of[mask]).tolist())
    assert probed == set(nearest_first[: len(probed)].tolist())
    # A scope smaller than the minimum is scored whole.
    monkeypatch.setattr(cells_module, "MIN_CANDIDATES", 5_000)
    assert cells.candidates(query, cell_of).all()


@pytest.fixture
def celled(monkeypatch):
    """An index of 600 rows with cells, where any scope above 40 items is scored by cells."""
    monkeypatch.setattr(similar, "BRUTE_FORCE_MAX", 40)
    monkeypatch.setattr(cells_module, "MIN_CANDIDATES", 30)
    monkeypatch.setattr(cells_module, "PROBE_SHARE", 0.3)
    monkeypatch.setattr(similar, "GATHER_BLOCK", 7)
    index = SimilarIndex.rebuild(_with_units(600), dim=32)
    assert index.fit_cells(min_items=0) == cells_module.MIN_CELLS
    return index


def test_a_large_scope_is_scored_in_the_nearest_cells_with_its_own_items_only(celled, monkeypatch):
    scored = []
    score_all = celled._scores
    monkeypatch.setattr(
        celled,
        "_scores",
        lambda positions, query: scored.append(len(positions)) or score_all(positions, query),
    )
    recalls = []
    for _, text in _rows(30, seed=5):
        vectors, salient = celled.vectorizer.transform([text])
        positions = celled.within([12, 13])
        assert len(positions) > similar.BRUTE_FORCE_MAX
        found = celled.query_within(vectors[0], salient[0], positions, k=10)
        assert 0.3 * len(positions) <= scored[-1] < len(positions)  # the nearest cells' share only
        assert len(found) == 10 and all(10 + m.id % 7 in (12, 13) for m in found)
        assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
        exact, kth = _brute_force_within(celled, text, [12, 13], 10)
        recalls.append(sum(1 for m in found if m.id in exact or m.score >= kth - 1e-4) / 10)
    assert np.mean(recalls) >= 0.9


def test_items_added_after_the_cells_are_placed_and_cells_survive_a_reload(celled, tmp_path):
    text = "银河大厦5栋垃圾清运不及时，楼道堆满垃圾，蚊蝇很多。"
    celled.add([(10_000, text, None, 12, 1)])
    vectors, salient = celled.vectorizer.transform([text])
    found = celled.query_within(vectors[0], salient[0], celled.within([12, 13]), k=3)
    assert found[0].id == 10_000 and found[0].score == pytest.approx(1.0, abs=1e-3)
    celled.save(tmp_path / "idx")
    loaded = SimilarIndex.load(tmp_path / "idx")
    assert np.array_equal(loaded._cell, celled._cell)
    assert [m.id for m in loaded.query_within(vectors[0], salient[0], loaded.within([12, 13]), k=3)] == [
        m.id for m in found
    ]


def test_a_small_index_has_no_cells_and_an_index_saved_without_them_loads(tmp_path):
    index = SimilarIndex.rebuild(_with_units(200), dim=32)
    assert index.fit_cells() == 0  # no scope can exceed BRUTE_FORCE_MAX: no cells
    index.save(tmp_path / "idx")
    assert not (tmp_path / "idx" / "cells.npz").exists()
    loaded = SimilarIndex.load(tmp_path / "idx")
    assert loaded._cells is None and len(loaded._cell) == 200
    assert loaded.scores_cheaply(similar.BRUTE_FORCE_MAX) and not loaded.scores_cheaply(
        similar.BRUTE_FORCE_MAX + 1
    )


def test_a_kept_large_scope_reads_the_nearest_cells_items_alone_and_finds_the_same(celled):
    text = "东湖花园3栋电梯长期故障无人维修"
    vectors, salient = celled.vectorizer.transform([text])
    celled.remove([2])
    scope = celled.scope([12, 13])
    assert len(scope.positions) > similar.BRUTE_FORCE_MAX
    grouped = celled.query_scope(vectors[0], salient[0], scope, k=10, exclude_ids=[3, 9])
    masked = celled.query_within(vectors[0], salient[0], celled.within([12, 13]), k=10, exclude_ids=[3, 9])
    assert [(m.id, m.score) for m in grouped] == [(m.id, m.score) for m in masked]
    assert scope.by_cell is not None and len(grouped) == 10
    assert not {2, 3, 9} & {m.id for m in grouped}
    assert all(10 + m.id % 7 in (12, 13) for m in grouped)
