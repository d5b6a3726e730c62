"""Helpers shared by the triage benchmarks: where the public data lives, and CV of TextClassifier."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def shared_data() -> Path:
    return Path(
        os.environ.get("XINFANG_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )


def require(*relative: str) -> list[Path]:
    """The data files, or a clean exit (status 0) with a message when they are absent."""
    paths = [shared_data() / r for r in relative]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"skipped: shared data not found ({', '.join(missing)}); set XINFANG_SHARED_DATA to run.")
        raise SystemExit(0)
    return paths


def parse_settings(pairs: list[str] | None, base=None):
    """``--set svm_c=0.5 --set char_ngram=1,2`` → FeatureSettings (from ``base``), for tuning runs."""
    import dataclasses
    import json as _json

    from xinfang.triage.textmodel import FeatureSettings

    values = {}
    for pair in pairs or []:
        key, raw = pair.split("=", 1)
        values[key] = tuple(int(v) for v in raw.split(",")) if "," in raw else _json.loads(raw)
    return dataclasses.replace(base or FeatureSettings(), **values)


def emit(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def rss_mb() -> float:
    """This process's resident memory (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cross_validate(texts, titles, labels, *, extra=None, folds=5, seed=0, settings=None, base=None, name=""):
    """Stratified k-fold on the main rows; ``extra`` (texts, labels) join every training fold only."""
    from xinfang.triage.textmodel import TextClassifier

    labels = np.asarray(labels)
    settings = parse_settings(settings, base)
    f1s, accs, train_s, rates = [], [], [], []
    skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for fold, (fit_rows, held_rows) in enumerate(skf.split(texts, labels)):
        fit_texts = [texts[i] for i in fit_rows]
        fit_titles = [titles[i] for i in fit_rows] if titles is not None else None
        fit_labels = list(labels[fit_rows])
        if extra is not None:
            fit_texts += extra[0]
            fit_labels += list(extra[1])
            if fit_titles is not None:
                fit_titles += [""] * len(extra[0])
        started = time.perf_counter()
        model = TextClassifier.train(fit_texts, fit_labels, titles=fit_titles, settings=settings)
        train_s.append(time.perf_counter() - started)
        held_texts = [texts[i] for i in held_rows]
        held_titles = [titles[i] for i in held_rows] if titles is not None else None
        started = time.perf_counter()
        predicted = [p.label for p in model.predict(held_texts, held_titles)]
        rates.append(len(held_rows) / (time.perf_counter() - started))
        f1s.append(f1_score(labels[held_rows], predicted, average="macro"))
        accs.append(accuracy_score(labels[held_rows], predicted))
        emit(
            benchmark=name,
            fold=fold,
            macro_f1=round(f1s[-1], 4),
            accuracy=round(accs[-1], 4),
            train_seconds=round(train_s[-1], 1),
            n_train=len(fit_texts),
            predict_docs_per_s=round(rates[-1]),
        )
    summary = dict(
        benchmark=name,
        folds=folds,
        cv_macro_f1_mean=round(float(np.mean(f1s)), 4),
        cv_macro_f1_std=round(float(np.std(f1s)), 4),
        cv_macro_f1_per_fold=[round(f, 4) for f in f1s],
        cv_accuracy_mean=round(float(np.mean(accs)), 4),
        train_seconds_mean=round(float(np.mean(train_s)), 1),
        predict_docs_per_s_mean=round(float(np.mean(rates))),
    )
    emit(**summary)
    return summary


def full_run(name, texts, titles, labels, predict_texts, predict_titles, overrides, base=None) -> None:
    """Train once on everything; time training and prediction (one process, then two)."""
    from xinfang.triage.textmodel import TextClassifier

    # CPU seconds are reported beside wall seconds: on a shared, busy machine they are the honest figure.
    started, cpu = time.perf_counter(), time.process_time()
    model = TextClassifier.train(texts, labels, titles=titles, settings=parse_settings(overrides, base))
    train_seconds, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    model.predict(predict_texts, predict_titles)
    serial_wall, serial_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    model.predict(predict_texts, predict_titles, n_jobs=2)
    forked_wall = time.perf_counter() - started
    emit(
        benchmark=name,
        n_train=len(texts),
        train_seconds=round(train_seconds, 1),
        train_cpu_seconds=round(train_cpu, 1),
        predict_docs=len(predict_texts),
        predict_docs_per_s_1_process=round(len(predict_texts) / serial_wall),
        predict_docs_per_cpu_s_1_process=round(len(predict_texts) / serial_cpu),
        predict_docs_per_s_2_processes=round(len(predict_texts) / forked_wall),
        load_average=round(os.getloadavg()[0], 1),
        temperature=round(model.temperature, 3),
        n_features=model.metadata["n_features"],
    )
