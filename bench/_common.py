"""Helpers shared by the triage benchmarks: where the public data lives, and CV of TextClassifier."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

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


def _write_csv(path: Path, rows, columns) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)


def _cli(*args: str) -> tuple[dict, float, float]:
    """Run ``xinfang <args>`` as a bureau would; (its JSON output, wall seconds, CPU seconds)."""
    import resource
    import subprocess

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root), DJANGO_SETTINGS_MODULE="xinfang.settings")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "xinfang.cli", *args], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"xinfang {args[0]} {args[1]} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(done.stdout.strip().splitlines()[-1]), wall, cpu


def cli_holdout_run(name, rows, *, extra=None, holdout=0.2, seed=0) -> None:
    """The pipeline a bureau gets, measured on a held-out split we make ourselves.

    ``rows`` (csvdata.LabelledRows) are split once, stratified, with a fixed seed: ``xinfang triage
    train`` runs on the training part (plus ``extra`` rows, which are never evaluated) and prints its
    own CV selection; ``xinfang triage evaluate`` scores the held-out part. A plain character TF-IDF
    + linear SVM trained on the same part is scored on the same rows for comparison. The split is
    for estimating only: nothing is tuned on it."""
    import tempfile

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.svm import LinearSVC

    n = len(rows)
    titles = rows.titles if rows.titles is not None else [""] * n
    fit, held = train_test_split(np.arange(n), test_size=holdout, stratify=rows.labels, random_state=seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        columns = ["id", "title", "text", "label"]
        _write_csv(tmp / "fit.csv", [(i, titles[i], rows.texts[i], rows.labels[i]) for i in fit], columns)
        _write_csv(tmp / "held.csv", [(i, titles[i], rows.texts[i], rows.labels[i]) for i in held], columns)
        files = ["--data", str(tmp / "fit.csv")]
        if extra is not None:
            _write_csv(
                tmp / "extra.csv",
                [(i, t, lab) for i, (t, lab) in enumerate(zip(*extra, strict=True))],
                ["id", "text", "label"],
            )
            files += ["--data", str(tmp / "extra.csv")]
        load_before = os.getloadavg()[0]
        trained, train_wall, train_cpu = _cli("triage", "train", *files, "--out", str(tmp / "model"))
        evaluated, _, eval_cpu = _cli(
            "triage", "evaluate", "--model", str(tmp / "model"), "--data", str(tmp / "held.csv")
        )
        load_after = os.getloadavg()[0]
    selection = trained["selection"]
    emit(
        benchmark=name,
        step="cli_train",
        n_train=trained["n"],
        chosen=trained["chosen"],
        cv_folds=selection["folds"],
        cv_macro_f1={k: (v["macro_f1_mean"], v["macro_f1_std"]) for k, v in selection["candidates"].items()},
        cv_seconds=selection.get("seconds"),
        train_wall_seconds=round(train_wall, 1),
        train_cpu_seconds=round(train_cpu, 1),
        load_average=[round(load_before, 1), round(load_after, 1)],
    )

    # The plain baseline on the same split (raw text, title joined as the CLI reads it).
    def joined(i):
        return f"{titles[i]}{rows.texts[i]}"

    fit_texts = [joined(i) for i in fit] + (list(extra[0]) if extra is not None else [])
    fit_labels = [rows.labels[i] for i in fit] + (list(extra[1]) if extra is not None else [])
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    svm = LinearSVC(random_state=0).fit(vectorizer.fit_transform(fit_texts), fit_labels)
    plain = svm.predict(vectorizer.transform([joined(i) for i in held]))
    emit(
        benchmark=name,
        step="holdout",
        holdout_share=holdout,
        seed=seed,
        n_held=len(held),
        cli_macro_f1=evaluated["macro_f1"],
        cli_accuracy=evaluated["accuracy"],
        plain_char_svm_macro_f1=round(
            float(f1_score([rows.labels[i] for i in held], plain, average="macro")), 4
        ),
        predict_docs_per_s_1_process=evaluated["docs_per_second"],
        evaluate_cpu_seconds=round(eval_cpu, 1),
        per_class_f1={k: v["f1"] for k, v in evaluated["per_class"].items()},
    )
