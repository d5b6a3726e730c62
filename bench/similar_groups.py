"""Benchmark: do similar matters rank by matter? Same-matter groups of teddycup2020c hot issues.

hot_issue_groups_weak.csv holds three teams' top-5 hot-issue groupings of hot_issues.csv (weak labels:
each group is messages one team judged to be one matter). For every grouped message we rank all other
4,296 messages by the similar-matter vectoriser (exact cosine, so the figures measure the ranking, not
the approximate index) and count a neighbour as relevant when some team put both in one group.
Printed per configuration: precision@10 (relevant / 10), R-precision@10 (relevant / min(10, group
members)) and nDCG@10 (binary gains). "before" is today's weighting (place names weigh as much as any
word, no category); "places_down_only", "category_only" and "both" try the weights the issue asked
for (place names at 0.4, category block 0.35); "after" is what ships (``PLACE_WEIGHT``,
``CATEGORY_WEIGHT``), which is the weighting that measured best. Categories of the hot issues are predicted by a category model trained on
teddycup2020c train.csv + extra_segmented.csv (the same board's 7 classes), as a registrar's desk
gets a suggested category. One example neighbour list with its reasons is printed for reading.

    .venv/bin/python bench/similar_groups.py
"""

from __future__ import annotations

import csv
import os
import time
from collections import defaultdict

import numpy as np
from _common import emit, require


def _read(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def measure(texts, ids, groups_of, categories, *, place_weight, category_weight, k=10):
    from xinfang.triage.similar import TextVectorizer

    vectorizer = TextVectorizer(256, place_weight=place_weight, category_weight=category_weight)
    vectorizer.fit(texts, categories)
    vectors, salient = vectorizer.transform(texts, categories)
    position = {pid: i for i, pid in enumerate(ids)}
    queries = [pid for pid in groups_of if pid in position]
    precision, r_precision, ndcg = [], [], []
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    members = defaultdict(set)
    for pid, gs in groups_of.items():
        for g in gs:
            members[g].add(pid)
    for pid in queries:
        q = position[pid]
        sims = vectors @ vectors[q]
        sims[q] = -np.inf
        top = np.argpartition(-sims, k)[:k]
        top = top[np.argsort(-sims[top])]
        relevant = set().union(*(members[g] for g in groups_of[pid])) - {pid}
        gains = np.array([1.0 if ids[i] in relevant else 0.0 for i in top])
        ideal = min(k, len(relevant))
        precision.append(gains.sum() / k)
        r_precision.append(gains.sum() / ideal if ideal else 0.0)
        ndcg.append(float(gains @ discounts) / float(discounts[:ideal].sum()) if ideal else 0.0)
    return {
        "queries": len(queries),
        "precision_at_10": round(float(np.mean(precision)), 4),
        "r_precision_at_10": round(float(np.mean(r_precision)), 4),
        "ndcg_at_10": round(float(np.mean(ndcg)), 4),
    }, (vectorizer, vectors, salient)


def main() -> None:
    import argparse

    from xinfang.triage.similar import CATEGORY_WEIGHT, PLACE_WEIGHT

    # The candidate weights (issue 17: matter over place, category as a feature) and the shipped ones.
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated configurations to run")
    parser.add_argument("--place-weight", type=float, default=0.4)
    parser.add_argument("--category-weight", type=float, default=0.35)
    args = parser.parse_args()
    hot_csv, groups_csv, train_csv, extra_csv = require(
        "teddycup2020c/hot_issues.csv",
        "teddycup2020c/hot_issue_groups_weak.csv",
        "teddycup2020c/train.csv",
        "teddycup2020c/extra_segmented.csv",
    )
    from xinfang.triage.csvdata import read_labelled_csv
    from xinfang.triage.textmodel import TOPIC_SETTINGS, TextClassifier

    hot = _read(hot_csv)
    ids = [int(r["id"]) for r in hot]
    texts = [f"{r['title']}。{r['text']}" for r in hot]  # as training.petition_text joins them
    groups_of: dict[int, set] = defaultdict(set)
    for r in _read(groups_csv):
        groups_of[int(r["id"])].add((r["team"], r["problem_id"]))

    configs = {
        "before": (1.0, 0.0),
        "places_down_only": (args.place_weight, 0.0),
        "category_only": (1.0, args.category_weight),
        "both": (args.place_weight, args.category_weight),
        "after": (PLACE_WEIGHT, CATEGORY_WEIGHT),  # the shipped defaults
    }
    if args.only:
        keep = set(args.only.split(",")) | {"before", "after"}
        configs = {k: v for k, v in configs.items() if k in keep}
    categories = None
    if any(weight for _, weight in configs.values()):
        started = time.perf_counter()
        train, extra = read_labelled_csv(train_csv), read_labelled_csv(extra_csv)
        model = TextClassifier.train(
            train.texts + extra.texts,
            train.labels + extra.labels,
            titles=train.titles + [""] * len(extra),
            settings=TOPIC_SETTINGS,
        )
        categories = [p.label for p in model.predict(texts)]
        emit(step="categories", seconds=round(time.perf_counter() - started, 1), n=len(categories))

    kept = {}
    for name, (place_weight, category_weight) in configs.items():
        started = time.perf_counter()
        figures, kept[name] = measure(
            texts, ids, groups_of, categories, place_weight=place_weight, category_weight=category_weight
        )
        emit(
            benchmark="similar_groups",
            config=name,
            place_weight=place_weight,
            category_weight=category_weight,
            **figures,
            seconds=round(time.perf_counter() - started, 1),
            load_average=round(os.getloadavg()[0], 1),
        )
    # One example for reading: the first grouped message and its top 5 with reasons (ids only).
    from xinfang.triage.similar import SimilarIndex

    vectorizer, vectors, salient = kept["after"]  # "after" always runs
    index = SimilarIndex(vectorizer)
    index.add_encoded(ids, vectors, salient)
    pid = sorted(groups_of)[0]
    q = ids.index(pid)
    matches = index.query_vectors(vectors[q : q + 1], salient[q : q + 1], k=5, exclude_ids=[pid])[0]
    emit(step="example", query_id=pid, neighbours=[[m.id, m.score, m.reason] for m in matches])


if __name__ == "__main__":
    main()
