"""SimilarIndex on a small synthetic corpus: recall equals brute force, persistence, add, remove."""

import random

import numpy as np
import pytest

from xinfang.triage.similar import SimilarIndex

_ESTATES = ["东湖花园", "西山家园", "南桥新村", "北岭小区", "金沙苑", "银河大厦", "春江花园", "秋实家园"]
_ISSUES = [
    "电梯长期故障无人维修",
    "物业费上涨服务变差",
    "自来水发黄有异味",
    "工地夜间施工噪音扰民",
    "开发商延期交房",
    "停车位被占用",
    "垃圾清运不及时",
    "外墙瓷砖脱落",
]


def _rows(n, seed=0, start=1):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        estate, issue, other = rng.choice(_ESTATES), rng.choice(_ISSUES), rng.choice(_ISSUES)
        rows.append((start + i, f"{estate}{rng.randint(1, 20)}栋{issue}，同时{other}，请尽快处理。"))
    return rows


@pytest.fixture(scope="module")
def index():
    return SimilarIndex.rebuild(_rows(400), dim=32)


def _brute_force(index, text, k):
    ids, vectors = index.vectors()
    query, _ = index.vectorizer.transform([text])
    sims = vectors @ query[0]
    order = np.argsort(-sims)[:k]
    return ids[order], sims[order]


def test_query_matches_brute_force(index):
    for _, text in _rows(20, seed=9):
        matches = index.query(text, k=10)
        _, exact_sims = _brute_force(index, text, 10)
        assert len(matches) == 10
        # ties make ids ambiguous, so compare the similarity profile
        np.testing.assert_allclose([m.score for m in matches], exact_sims, atol=1e-3)


def test_query_explains_with_shared_words(index):
    matches = index.query("东湖花园3栋电梯长期故障无人维修", k=3)
    assert matches[0].score > 0.5
    assert matches[0].reason
    assert all(len(word) >= 2 for word in matches[0].reason)


def test_exclude_ids_are_not_returned(index):
    text = _rows(400)[5][1]
    first = index.query(text, k=5)
    excluded = {m.id for m in first[:2]}
    again = index.query(text, k=5, exclude_ids=excluded)
    assert len(again) == 5
    assert not excluded & {m.id for m in again}


def test_save_load_add_and_watermark(tmp_path):
    rows = _rows(200)
    index = SimilarIndex.rebuild(rows[:150], dim=16)
    assert index.watermark == 150
    index.save(tmp_path / "idx")
    loaded = SimilarIndex.load(tmp_path / "idx")
    assert loaded.watermark == 150 and len(loaded) == 150
    assert loaded.query(rows[3][1], k=5) == index.query(rows[3][1], k=5)
    loaded.add([r for r in rows if r[0] > loaded.watermark], watermark=175)
    assert loaded.watermark == 200 and len(loaded) == 200
    assert loaded.query(rows[180][1], k=1)[0].score == pytest.approx(1.0, abs=1e-3)
    loaded.save(tmp_path / "idx")
    assert SimilarIndex.load(tmp_path / "idx").watermark == 200


def test_remove_and_replace(tmp_path):
    rows = _rows(100)
    index = SimilarIndex.rebuild(rows, dim=16)
    target_id, text = rows[10]
    assert target_id in {m.id for m in index.query(text, k=5)}
    assert index.remove([target_id, 99999]) == 1
    assert len(index) == 99
    assert target_id not in {m.id for m in index.query(text, k=20)}
    replacement = "银河大厦外墙瓷砖脱落，垃圾清运不及时"
    index.add([(target_id, replacement)])
    assert len(index) == 100
    index.save(tmp_path / "idx")
    loaded = SimilarIndex.load(tmp_path / "idx")
    found = [m for m in loaded.query(replacement, k=100) if m.id == target_id]
    assert len(found) == 1
    assert found[0].score == pytest.approx(1.0, abs=1e-3)


def test_repeat_rule_separates_same_matter_from_another_matter():
    from xinfang.triage.repeat import SAME_MATTER_THRESHOLD, place_names, same_matter_score

    first = (
        "A7县星沙派小区1栋顶楼违建无人管",
        "星沙派小区1栋顶楼业主私自加建两层，多次投诉无果，请城管部门依法拆除。",
    )
    again = ("再次举报星沙派小区1栋违建", "本人再次反映星沙派小区1栋顶楼违法加建的问题，至今没有拆除。")
    other = ("咨询孩子入学问题", "请问孩子明年上小学，户口在外地，需要准备哪些材料？")
    same, reasons = same_matter_score(first[1], first[0], again[1], again[0])
    different, _ = same_matter_score(first[1], first[0], other[1], other[0])
    assert same >= SAME_MATTER_THRESHOLD > different
    assert any("星沙派小区" in reason for reason in reasons)
    assert "星沙派小区" in place_names("A7县星沙派小区1栋")


def test_reason_gives_the_shared_matter_words_first_then_the_place():
    from xinfang.triage.similar import TextVectorizer

    rows = _rows(400)
    index = SimilarIndex(TextVectorizer(32, place_weight=0.5).fit([t for _, t in rows]))
    index.add(rows)
    matches = index.query("东湖花园3栋电梯长期故障无人维修，同时外墙瓷砖脱落", k=10)
    with_place = [m for m in matches if any(r.startswith("地点：") for r in m.reason)]
    assert with_place, [m.reason for m in matches]
    for m in with_place:
        places = [i for i, r in enumerate(m.reason) if r.startswith("地点：")]
        assert places == [len(m.reason) - 1]  # one place, after every matter word
        assert "东湖花园" in m.reason[-1]
    assert all(not r.startswith("地点：") and "东湖" not in r for m in matches for r in m.reason[:-1])


def test_place_names_are_features_apart_and_can_weigh_less_than_the_matter():
    from xinfang.triage.similar import PLACE, TextVectorizer, features

    words, grams = features("我是东湖花园业主，东湖花园电梯长期故障，请求维修。")
    assert PLACE + "东湖" in words or PLACE + "东湖花园" in words
    assert "电梯" in words and "东湖" in grams and "电梯" in grams
    texts = [text for _, text in _rows(400)]
    same_place = "东湖花园1栋停车位被占用，请尽快处理。"
    same_matter = "西山家园1栋电梯长期故障无人维修，请尽快处理。"
    query = "东湖花园1栋电梯长期故障无人维修，请尽快处理。"
    for weight, expected in ((0.2, same_matter), (3.0, same_place)):
        vectorizer = TextVectorizer(32, place_weight=weight).fit(texts)
        vectors, _ = vectorizer.transform([query, same_place, same_matter])
        closer = same_place if vectors[0] @ vectors[1] > vectors[0] @ vectors[2] else same_matter
        assert closer == expected, weight


def test_category_adds_to_the_score_and_a_missing_one_is_neutral():
    from xinfang.triage.similar import TextVectorizer

    texts = [text for _, text in _rows(400)]
    categories = ["城建" if i % 2 else "环保" for i in range(len(texts))]
    plain = TextVectorizer(32, category_weight=0.0).fit(texts, categories)
    weighted = TextVectorizer(32, category_weight=0.5).fit(texts, categories)
    pair = [texts[0], texts[1]]
    base, _ = plain.transform(pair, ["城建", "城建"])
    same, _ = weighted.transform(pair, ["城建", "城建"])
    unknown, _ = weighted.transform(pair, [None, "城建"])
    assert same[0] @ same[1] == pytest.approx(base[0] @ base[1] + 0.25, abs=1e-4)
    assert unknown[0] @ unknown[1] == pytest.approx(base[0] @ base[1], abs=1e-4)


def _with_units(n, seed=0):
    """Rows of ``_rows`` handled by unit 10 + id % 7, all registered by unit 1."""
    return [(pk, text, None, 10 + pk % 7, 1) for pk, text in _rows(n, seed)]


def _brute_force_within(index, text, units, k, exclude=()):
    ids, vectors = index.vectors()
    positions = index.within(units)
    keep = np.isin(np.arange(len(ids)), positions) & ~np.isin(ids, list(exclude))
    query, _ = index.vectorizer.transform([text])
    sims = np.where(keep, vectors @ query[0], -np.inf)
    order = np.argsort(-sims)[:k]
    return [int(ids[i]) for i in order if np.isfinite(sims[i])], float(sims[order[min(k, keep.sum()) - 1]])


@pytest.mark.parametrize("brute_force_max", [10_000, 5])  # exact scoring, then the filtered graph search
def test_query_within_a_scope_returns_only_its_items_ranked_like_brute_force(monkeypatch, brute_force_max):
    from xinfang.triage import similar

    monkeypatch.setattr(similar, "BRUTE_FORCE_MAX", brute_force_max)
    monkeypatch.setattr(similar, "GATHER_BLOCK", 7)  # exact scoring reads the vectors block by block
    index = SimilarIndex.rebuild(_with_units(400), dim=32)
    text = "东湖花园3栋电梯长期故障无人维修"
    vectors, salient = index.vectorizer.transform([text])
    positions = index.within([12, 13])
    assert len(positions) == sum(1 for pk in range(1, 401) if 10 + pk % 7 in (12, 13))
    found = index.query_within(vectors[0], salient[0], positions, k=10, exclude_ids=[2])
    assert len(found) == 10 and all(10 + m.id % 7 in (12, 13) and m.id != 2 for m in found)
    exact, kth = _brute_force_within(index, text, [12, 13], 10, exclude=[2])
    assert all(m.id in exact or m.score >= kth - 1e-4 for m in found)
    # Positions in any order: the same items, the excluded one left out.
    unordered = index.query_within(vectors[0], salient[0], positions[::-1], k=10, exclude_ids=[2, 9])
    assert 2 not in {m.id for m in unordered} and 9 not in {m.id for m in unordered}
    assert [m.score for m in unordered] == [
        m.score for m in index.query_within(vectors[0], salient[0], positions, k=10, exclude_ids=[2, 9])
    ]
    assert index.within([1]).size == 400  # the registering unit counts too
    assert index.within([99]).size == 0
    assert index.within([12, 10**6]).size == index.within([12]).size > 0  # an unknown unit adds nothing
    assert index.within([-1, 0]).size == 0  # NO_UNIT is never a scope


def test_a_scope_smaller_than_k_is_returned_whole_and_units_follow_a_move(tmp_path):
    index = SimilarIndex.rebuild(_with_units(200), dim=32)
    index.set_units([(5, 99, 1), (6, 99, 1)])
    vectors, salient = index.vectorizer.transform(["电梯长期故障无人维修"])
    assert {m.id for m in index.query_within(vectors[0], salient[0], index.within([99]), k=10)} == {5, 6}
    index.save(tmp_path / "idx")
    loaded = SimilarIndex.load(tmp_path / "idx")
    assert set(loaded.within([99]).tolist()) == set(index.within([99]).tolist())
    assert np.array_equal(loaded.vectors()[1], index.vectors()[1])
    loaded.remove([5])
    assert {m.id for m in loaded.query_within(vectors[0], salient[0], loaded.within([99]), k=10)} == {6}


@pytest.mark.parametrize("category_weight", [0.0, 0.5])
def test_a_stored_petition_queries_with_the_vector_its_text_would_give(category_weight):
    from xinfang.triage.similar import TextVectorizer

    rows = [(pk, text, "城建" if pk % 2 else "环保") for pk, text in _rows(200)]
    vectorizer = TextVectorizer(32, category_weight=category_weight).fit(
        [r[1] for r in rows], [r[2] for r in rows]
    )
    index = SimilarIndex(vectorizer)
    index.add(rows)
    pk, text, _ = rows[6]
    # Re-categorised since it was indexed (a category change does not re-encode the item).
    vector, salient = index.stored(pk, "城建")
    expected, expected_salient = vectorizer.transform([text], ["城建"])
    np.testing.assert_allclose(vector, expected, atol=1e-6)
    assert np.array_equal(salient, expected_salient)
    index.add([(pk, "西山家园外墙瓷砖脱落，砸坏了车。", "城建")])  # an edit replaces the stored vector
    edited, _ = vectorizer.transform(["西山家园外墙瓷砖脱落，砸坏了车。"], ["城建"])
    np.testing.assert_allclose(index.stored(pk, "城建")[0], edited, atol=1e-6)
    assert index.stored(10**6) is None
    index.remove([pk])
    assert index.stored(pk) is None


def test_rows_added_join_the_id_lookup_without_sorting_every_id_again(monkeypatch):
    from xinfang.triage.similar import TextVectorizer

    rows = _rows(120)
    index = SimilarIndex(TextVectorizer(16).fit([t for _, t in rows]))
    index.add(rows[:100])
    index.stored(rows[0][0])  # builds the lookup
    sorts = []
    real_argsort = np.argsort
    monkeypatch.setattr(
        np, "argsort", lambda a, *args, **kw: sorts.append(len(a)) or real_argsort(a, *args, **kw)
    )
    # New petitions (higher ids), an older one indexed late (a lower id) and an edit (an id re-added).
    index.add(rows[100:110] + [(-5, rows[110][1]), (rows[3][0], "西山家园外墙瓷砖脱落，砸坏了车。")])
    assert max(sorts, default=0) <= 12  # only the added rows were sorted, not all 112
    kept = index._lookup
    index._lookup = None
    index._positions(np.array([0]))  # rebuilds the lookup from scratch
    assert np.array_equal(kept[0], index._lookup[0]) and np.array_equal(kept[1], index._lookup[1])
    for pk in (rows[3][0], rows[105][0], -5, rows[50][0]):
        assert index.stored(pk) is not None
    edited, _ = index.vectorizer.transform(["西山家园外墙瓷砖脱落，砸坏了车。"])
    np.testing.assert_allclose(index.stored(rows[3][0])[0], edited, atol=1e-6)


def test_the_vectoriser_cuts_words_as_when_it_was_fitted_whatever_the_process_learnt_since():
    """The index encodes in the worker and in every web process; another model teaching the
    process-wide segmenter a word (a place name, a model's extra word) must not change its vectors."""
    from xinfang.triage import segment
    from xinfang.triage.similar import TextVectorizer

    text = "锦瑟电梯长期故障无人维修，物业费上涨服务变差。"  # 锦瑟电梯: in no other test
    vectorizer = TextVectorizer(32).fit([t for _, t in _rows(300)] + [text, text])
    before, _ = vectorizer.transform([text])
    assert segment.raw_tokens(text)[:2] != ["锦瑟电梯"]
    segment.add_user_words(["锦瑟电梯"])
    assert segment.raw_tokens(text)[0] == "锦瑟电梯"  # the process now cuts it otherwise
    after, _ = vectorizer.transform([text])
    np.testing.assert_allclose(after, before, atol=1e-6)
    import pickle

    again, _ = pickle.loads(pickle.dumps(vectorizer)).transform([text])  # as another process loads it
    np.testing.assert_allclose(again, before, atol=1e-6)


def test_a_scope_kept_between_queries_follows_items_added_moved_and_removed(monkeypatch):
    from xinfang.triage import similar

    index = SimilarIndex.rebuild(_with_units(300), dim=32)

    def scanned(units):
        live = ~index._deleted
        hit = np.isin(index._units[:, 0], units) | np.isin(index._units[:, 1], units)
        return np.flatnonzero(hit & live).tolist()

    scope = [12, 13]
    assert index.within(scope).tolist() == scanned(scope)
    assert tuple(scope) in index._scopes  # kept for the next query
    # Units are 10 + id % 7, so the scope holds the ids ≡ 2 or 3 (mod 7).
    index.set_units([(9, 99, 99), (10, 99, 99), (16, 12, 1)])  # 9 and 10 leave; 16 stays
    index.add([(1_000, "东湖花园电梯停运", None, 13, 1), (1_001, "西山家园停水", None, 11, 1)])
    index.set_units([(5, 13, 1)])  # 5 moves in
    index.remove([2])
    got = index.within(scope).tolist()
    assert got == scanned(scope)
    ids = set(index._ids[got].tolist())
    assert {1_000, 5, 16} <= ids and not {9, 10, 2, 1_001} & ids
    assert index.within([13, 12]).tolist() == got  # the same scope, however it is written
    monkeypatch.setattr(similar, "MOVED_MAX", 1)
    index.set_units([(7, 12, 1), (8, 12, 1)])  # many moves: the kept scopes are dropped …
    assert not index._scopes
    assert index.within(scope).tolist() == scanned(scope)  # … and scanned again


def test_a_kept_scope_scores_a_copy_of_its_vectors_until_it_changes_within_the_budget(monkeypatch):
    from xinfang.triage import similar

    monkeypatch.setattr(similar, "COPY_MIN", 10)
    index = SimilarIndex.rebuild(_with_units(300), dim=32)
    vectors, salient = index.vectorizer.transform(["东湖花园3栋电梯长期故障无人维修"])

    def both(units, **kw):
        scope = index.scope(units)
        copied = index.query_scope(vectors[0], salient[0], scope, k=10, **kw)
        gathered = index.query_within(vectors[0], salient[0], index.within(units), k=10, **kw)
        return scope, [(m.id, m.score) for m in copied], [(m.id, m.score) for m in gathered]

    scope, copied, gathered = both([12, 13], exclude_ids=[2, 3])
    assert copied == gathered and scope.vectors is not None
    assert index.scope([12, 13]) is scope  # unchanged: the same copy serves the next query
    index.remove([copied[0][0]])  # a deletion keeps the copy; the item is left out
    again, copied, gathered = both([12, 13])
    assert again is scope and copied == gathered
    index.set_units([(5, 12, 1)])  # an item moves in: a new scope, copied afresh
    moved, copied, gathered = both([12, 13])
    assert moved is not scope and copied == gathered and 5 in index._ids[moved.positions]
    # Within the budget: a second scope's copy pushes out the least recently used one.
    index.copies_bytes = moved.vectors.nbytes + 1
    other, _, _ = both([14, 15])
    assert other.vectors is not None and moved.vectors is None
