"""Hot-spot grouping on real messages: xinfang.stats.hotspots.cluster on
teddycup2020c/hot_issues.csv, compared with three teams' weak top-5 groupings.

For each team group: the best-matching cluster's precision / recall / F1 by ids;
per team: adjusted Rand index and pairwise precision/recall over the ids that
team labelled (our ungrouped rows count as singletons); and whether our top-5
groups (by size) contain each team group's best match.  Exits cleanly without
the shared data.  Usage: .venv/bin/python bench/hotspots.py [--threshold 0.75]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import defaultdict
from itertools import combinations

sys.path.insert(0, os.path.dirname(__file__))
from _common import emit, require  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--k", type=int, default=None)
    args = parser.parse_args()
    issues, weak = require("teddycup2020c/hot_issues.csv", "teddycup2020c/hot_issue_groups_weak.csv")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    from sklearn.metrics import adjusted_rand_score

    from xinfang.stats import hotspots

    with open(issues, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    ids = [r["id"] for r in rows]
    texts = [f"{r['title']}。{r['text']}" for r in rows]
    options = {k: v for k, v in (("threshold", args.threshold), ("k", args.k)) if v is not None}
    started = time.perf_counter()
    result = hotspots.cluster(texts, **options)
    seconds = time.perf_counter() - started
    label_of = {
        i: (int(lab) if lab >= 0 else f"single-{i}") for i, lab in zip(ids, result.labels, strict=True)
    }
    members = defaultdict(set)
    for i, lab in label_of.items():
        members[lab].add(i)
    groups = result.groups()
    top5 = list(groups)[:5]
    emit(
        rows=len(rows),
        seconds=round(seconds, 2),
        groups=len(groups),
        grouped_rows=int((result.labels >= 0).sum()),
        top5=[
            {"size": len(groups[g]), "keywords": result.keywords[g], "places": result.places[g][:3]}
            for g in top5
        ],
    )

    teams = defaultdict(lambda: defaultdict(set))
    with open(weak, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            teams[r["team"]][r["problem_id"]].add(r["id"])
    summary = []
    for team, problems in sorted(teams.items()):
        per_group = []
        labelled = sorted({i for g in problems.values() for i in g if i in label_of})
        truth = {i: p for p, g in problems.items() for i in g}
        for problem, wanted in sorted(problems.items()):
            wanted = {i for i in wanted if i in label_of}
            best = max(
                (
                    {"cluster": lab, "tp": len(wanted & members[lab]), "size": len(members[lab])}
                    for lab in {label_of[i] for i in wanted}
                ),
                key=lambda m: 2 * m["tp"] / (m["size"] + len(wanted)),
            )
            precision, recall = best["tp"] / best["size"], best["tp"] / len(wanted)
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            per_group.append(
                {
                    "problem": problem,
                    "size": len(wanted),
                    "precision": round(precision, 3),
                    "recall": round(recall, 3),
                    "f1": round(f1, 3),
                    "in_our_top5": best["cluster"] in top5,
                    "cluster_size": best["size"],
                }
            )
        ari = adjusted_rand_score([truth[i] for i in labelled], [str(label_of[i]) for i in labelled])
        same_truth = same_ours = both = 0
        for x, y in combinations(labelled, 2):
            t, o = truth[x] == truth[y], label_of[x] == label_of[y]
            same_truth += t
            same_ours += o
            both += t and o
        emit(
            team=team,
            labelled=len(labelled),
            adjusted_rand=round(ari, 3),
            pair_precision=round(both / same_ours, 3) if same_ours else None,
            pair_recall=round(both / same_truth, 3) if same_truth else None,
            mean_f1=round(sum(g["f1"] for g in per_group) / len(per_group), 3),
            top5_overlap=sum(g["in_our_top5"] for g in per_group),
            groups=per_group,
        )
        summary.append(ari)
    emit(mean_adjusted_rand=round(sum(summary) / len(summary), 3))


if __name__ == "__main__":
    main()
