"""Benchmark: retraining the four suggestion models from the database, per SVM solver.

Reads the same training sets as ``xinfang triage train`` (the newest concluded petitions, up to
TRIAGE_TRAIN_LIMIT per target), holds out 20 % of each, and trains every target once with each
liblinear solver: ``auto`` (scikit-learn's default, which picks the primal solver when rows
outnumber features) and ``dual`` (ours). Prints one JSON line per target and solver (seconds,
held-out macro-F1), then one line per target with the speed ratio and how many held-out
predictions the two models share. Needs a filled database (``xinfang generate``).

    XINFANG_VAR_DIR=… [DATABASE_URL=…] .venv/bin/python bench/triage_training.py [--limit 30000]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import emit  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from xinfang.triage.textmodel import INTENT_SETTINGS, TOPIC_SETTINGS, TextClassifier  # noqa: E402
from xinfang.triage.training import TARGETS, database_datasets  # noqa: E402

SOLVERS = {"auto": "auto", "dual": True}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="rows per target (TRIAGE_TRAIN_LIMIT)")
    args = parser.parse_args()
    datasets = database_datasets(args.limit)
    for target in TARGETS:
        texts, labels = datasets[target]
        counts = {label: labels.count(label) for label in set(labels)}
        rows = [i for i, label in enumerate(labels) if counts[label] >= 2]
        if len(rows) < 50:
            emit(benchmark="triage_training", target=target, skipped=f"{len(rows)} rows")
            continue
        fit_rows, held_rows = train_test_split(
            rows, test_size=0.2, random_state=0, stratify=[labels[i] for i in rows]
        )
        base = INTENT_SETTINGS if target == "petition_class" else TOPIC_SETTINGS
        seconds, predicted = {}, {}
        for name, dual in SOLVERS.items():
            started = time.perf_counter()
            model = TextClassifier.train(
                [texts[i] for i in fit_rows],
                [labels[i] for i in fit_rows],
                settings=dataclasses.replace(base, svm_dual=dual),
            )
            seconds[name] = time.perf_counter() - started
            predicted[name] = [p.label for p in model.predict([texts[i] for i in held_rows])]
            emit(
                benchmark="triage_training",
                target=target,
                solver=name,
                n_train=len(fit_rows),
                labels=len(model.labels),
                n_features=model.metadata["n_features"],
                train_seconds=round(seconds[name], 1),
                held_out_macro_f1=round(
                    f1_score([labels[i] for i in held_rows], predicted[name], average="macro"), 4
                ),
            )
        same = np.mean([a == b for a, b in zip(predicted["auto"], predicted["dual"], strict=True)])
        emit(
            benchmark="triage_training",
            target=target,
            speedup_dual_over_auto=round(seconds["auto"] / seconds["dual"], 1),
            same_held_out_predictions=round(float(same), 4),
            load_average=round(os.getloadavg()[0], 1),
        )


if __name__ == "__main__":
    main()
