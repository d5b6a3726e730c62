"""Benchmark: the repeat-matter rule (xinfang.triage.repeat) on hand-labelled pairs.

bench/data/repeat_pairs.csv holds only ids and labels (id_a, id_b, same_matter): 320 pairs of messages by
the same user in teddycup2020c/hot_issues.csv, labelled by reading them (1 = the same matter raised
again, including follow-ups and a different angle on the same dispute; 0 = another matter). The texts
are read from the shared data at run time.

The threshold is chosen by 5-fold CV (best F1 on the training folds, applied to the held-out fold; the
figures are pooled over held-out folds), repeated over 5 shuffles. The IDF table is fitted on all
hot_issues texts (unlabelled, as a bureau would fit it on its own history).

    .venv/bin/python bench/repeat_pairs.py
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import numpy as np
from _common import emit, require
from sklearn.model_selection import StratifiedKFold


def prf(y, pred):
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_threshold(scores, y):
    candidates = np.unique(np.round(scores, 3))
    return max(candidates, key=lambda t: (prf(y, (scores >= t).astype(int))[2], -t))


def main() -> None:
    (hot_csv,) = require("teddycup2020c/hot_issues.csv")
    from xinfang.triage import segment
    from xinfang.triage.repeat import SAME_MATTER_THRESHOLD, same_matter_score

    with open(hot_csv, encoding="utf-8-sig", newline="") as handle:
        messages = {row["id"]: row for row in csv.DictReader(handle)}
    df = Counter()
    for row in messages.values():
        df.update(set(segment.words(f"{row['title']} {row['text']}")))
    idf = {t: math.log((1 + len(messages)) / (1 + c)) + 1 for t, c in df.items()}

    pairs_csv = Path(__file__).resolve().parent / "data" / "repeat_pairs.csv"
    with open(pairs_csv, encoding="utf-8", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    scores, labels, reasons = [], [], []
    for pair in pairs:
        a, b = messages[pair["id_a"]], messages[pair["id_b"]]
        score, why = same_matter_score(a["text"], a["title"], b["text"], b["title"], idf=idf)
        scores.append(score)
        labels.append(int(pair["same_matter"]))
        reasons.append(why)
    scores, labels = np.array(scores), np.array(labels)

    runs, thresholds = [], []
    for seed in range(5):
        pooled = np.zeros_like(labels)
        for fit_rows, held_rows in StratifiedKFold(5, shuffle=True, random_state=seed).split(scores, labels):
            t = best_threshold(scores[fit_rows], labels[fit_rows])
            thresholds.append(float(t))
            pooled[held_rows] = scores[held_rows] >= t
        runs.append(prf(labels, pooled))
    runs = np.array(runs)
    p, r, f = prf(labels, (scores >= SAME_MATTER_THRESHOLD).astype(int))
    emit(
        benchmark="repeat_pairs",
        pairs=len(pairs),
        positives=int(labels.sum()),
        cv_precision=round(float(runs[:, 0].mean()), 3),
        cv_recall=round(float(runs[:, 1].mean()), 3),
        cv_f1_mean=round(float(runs[:, 2].mean()), 3),
        cv_f1_std=round(float(runs[:, 2].std()), 3),
        cv_thresholds_median=round(float(np.median(thresholds)), 3),
        cv_thresholds_range=[round(min(thresholds), 3), round(max(thresholds), 3)],
        default_threshold=SAME_MATTER_THRESHOLD,
        at_default_precision=round(p, 3),
        at_default_recall=round(r, 3),
        at_default_f1=round(f, 3),
    )
    example = int(np.argmax(scores))
    emit(
        example_pair=[pairs[example]["id_a"], pairs[example]["id_b"]],
        score=float(scores[example]),
        reasons=reasons[example],
    )


if __name__ == "__main__":
    main()
