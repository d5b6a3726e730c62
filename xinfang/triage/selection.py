"""Choosing the classifier pipeline by cross-validation on the data it will be trained on.

No single pipeline wins everywhere: on a bureau's own history the plain character n-gram model may beat
word + character features, class weights may help or hurt a rare label, and per-label calibration may
move the decision. ``train_selected`` runs stratified k-fold CV of every candidate on the rows it is
given, trains the best one on all of them and records the choice and every candidate's CV figures in
the model's metadata (``metadata["selection"]``), which ``xinfang triage evaluate`` prints.

Cost control (training must stay within a minute on two busy cores): the documents are segmented once
per preprocessing; the TF-IDF vectorisers are fitted once on all the rows (unsupervised statistics:
vocabulary and IDF, never the labels) and a block two candidates share (the character n-grams) is
fitted once; only the SVMs are refitted per fold. The "+sigmoid" variant of a candidate reuses its fold
scores: its per-label Platt curves for one fold are fitted on the other folds' out-of-fold scores. The
chosen model keeps the fitted vectorisers and calibrates on the CV's out-of-fold scores. ``max_rows``
caps the rows used for the CV (a stratified sample; the final model then trains on every row anew).
Pure Python (no Django).
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from . import segment
from .textmodel import (
    INTENT_SETTINGS,
    NB_INTENT_SETTINGS,
    PLAIN_SETTINGS,
    TOPIC_SETTINGS,
    FeatureSettings,
    TextClassifier,
    fit_platt,
    fold_scores,
    platt_probabilities,
    training_threads,
)

# Order matters only for ties: the simpler pipeline first.
CANDIDATES: tuple[tuple[str, FeatureSettings], ...] = (
    ("plain_chars", PLAIN_SETTINGS),
    ("words_chars_balanced", TOPIC_SETTINGS),
    ("words_chars_function_words_c0.1", INTENT_SETTINGS),
    ("words_chars_nb_c0.1", NB_INTENT_SETTINGS),
)
SIGMOID = "+sigmoid"
# Three folds, not five: with five the category model (7,573 rows, 7 labels) took 86 CPU seconds to
# train, over the one-minute budget; three folds cost 9 SVM fits instead of 15.
SELECTION_FOLDS = 3


def _subsample(labels: np.ndarray, max_rows: int | None, seed: int) -> np.ndarray:
    rows = np.arange(len(labels))
    if not max_rows or len(rows) <= max_rows:
        return rows
    kept, _ = train_test_split(rows, train_size=max_rows, stratify=labels, random_state=seed)
    return np.sort(kept)


def cross_validate(
    texts: list[str],
    labels: list[str],
    *,
    titles: list[str] | None = None,
    extra_words=(),
    folds: int = SELECTION_FOLDS,
    seed: int = 0,
    candidates=CANDIDATES,
    max_rows: int | None = None,
) -> dict:
    """Stratified k-fold macro-F1 of every candidate (and its "+sigmoid" variant) on these rows."""
    started = time.perf_counter()
    y_all = np.asarray(labels)
    rows = _subsample(y_all, max_rows, seed)
    names = sorted(set(y_all[rows]))
    y = np.array([names.index(label) for label in y_all[rows]])
    folds = min(folds, int(np.bincount(y).min()))
    if folds < 2 or len(names) < 2:
        return {"folds": folds, "n_rows": len(rows), "candidates": {}, "skipped": "too few rows per label"}
    segment.add_user_words(extra_words)
    split = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, y))
    texts = [texts[i] for i in rows]
    titles = [titles[i] for i in rows] if titles is not None else None
    doc_cache: dict[tuple, list] = {}
    block_cache: dict[tuple, tuple] = {}
    results: dict[str, dict] = {}
    prepared: dict[str, tuple] = {}
    # liblinear releases the GIL: a candidate's fold fits run on the other cores while this thread
    # builds the next candidate's features.
    with ThreadPoolExecutor(training_threads()) as pool:
        pending = {}
        for name, settings in candidates:
            model = TextClassifier(settings, list(extra_words))
            key = (settings.mask_names, settings.drop_stopwords, settings.max_chars)
            if key not in doc_cache:
                doc_cache[key] = model._docs(texts, titles)
            model.labels = names
            x = model._blocks(doc_cache[key], fit=True, cache=block_cache)
            pending[name] = (model, x, fold_scores(pool, model._svm, x, y, split))
        for name, (model, x, out_of_fold) in pending.items():
            oof = out_of_fold()
            prepared[name] = (model, x, y, oof)
            results[name], results[name + SIGMOID] = _fold_figures(oof, y, split)
    report = {
        "folds": folds,
        "seed": seed,
        "n_rows": len(rows),
        "metric": "macro_f1",
        "candidates": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    # Not part of the report (not JSON): lets train_selected finish the chosen model without refitting.
    if len(rows) == len(y_all):
        report["_prepared"] = prepared
    return report


def _fold_figures(oof: np.ndarray, y: np.ndarray, split: list) -> tuple[dict, dict]:
    """Per-fold macro-F1 of the raw scores and of per-label Platt curves fitted on the other folds."""
    raw, calibrated = [], []
    for fold, (_, held_rows) in enumerate(split):
        raw.append(f1_score(y[held_rows], oof[held_rows].argmax(axis=1), average="macro"))
        others = np.concatenate([h for k, (_, h) in enumerate(split) if k != fold])
        platt = fit_platt(oof[others], y[others])
        predicted = platt_probabilities(oof[held_rows], platt).argmax(axis=1)
        calibrated.append(f1_score(y[held_rows], predicted, average="macro"))
    return _summary(raw), _summary(calibrated)


def _summary(scores: list[float]) -> dict:
    return {
        "macro_f1_mean": round(float(np.mean(scores)), 4),
        "macro_f1_std": round(float(np.std(scores)), 4),
        "per_fold": [round(float(s), 4) for s in scores],
    }


def choose(report: dict, candidates=CANDIDATES) -> tuple[str, FeatureSettings]:
    """The simplest candidate that CV cannot tell apart from the best one; the second candidate's
    settings when no CV could run (too few rows).

    The best is the highest mean CV macro-F1. Candidates are then taken simplest first (the order of
    ``candidates``, without calibration before with it), and the first whose per-fold difference to
    the best, paired fold by fold, is within one standard error of zero is chosen (the one-standard-
    error rule). A pipeline that wins by less than the folds disagree is not worth the added
    machinery, and the simpler one is less likely to fall below it on new rows: on Teddy Cup
    categories NB scaling + sigmoid led balanced + sigmoid by 0.0003 in CV and lost 0.008 on held-out
    rows."""
    scored = report.get("candidates") or {}
    if not scored:
        return candidates[1]
    by_name = dict(candidates)
    order = [n for n, _ in candidates] + [n + SIGMOID for n, _ in candidates]
    best = max(order, key=lambda n: (scored[n]["macro_f1_mean"], -order.index(n)))
    chosen = best
    for name in order[: order.index(best)]:
        if _indistinguishable(scored[name]["per_fold"], scored[best]["per_fold"]):
            chosen = name
            break
    report["best_by_mean"] = best
    report["rule"] = "simplest within one standard error of the best (paired folds)"
    settings = by_name[chosen.removesuffix(SIGMOID)]
    if chosen.endswith(SIGMOID):
        settings = dataclasses.replace(settings, calibration="sigmoid")
    return chosen, settings


def _indistinguishable(scores: list[float], best: list[float]) -> bool:
    differences = np.asarray(scores) - np.asarray(best)
    if len(differences) < 2:
        return bool(differences.mean() >= 0)
    standard_error = differences.std(ddof=1) / np.sqrt(len(differences))
    return bool(differences.mean() + standard_error >= 0)


def train_selected(
    texts: list[str],
    labels: list[str],
    *,
    titles: list[str] | None = None,
    extra_words=(),
    folds: int = SELECTION_FOLDS,
    seed: int = 0,
    candidates=CANDIDATES,
    max_rows: int | None = None,
) -> TextClassifier:
    """Cross-validate the candidates, train the best on every row; the choice goes in the metadata."""
    started = time.perf_counter()
    report = cross_validate(
        texts,
        labels,
        titles=titles,
        extra_words=extra_words,
        folds=folds,
        seed=seed,
        candidates=candidates,
        max_rows=max_rows,
    )
    name, settings = choose(report, candidates)
    prepared = report.pop("_prepared", {}).get(name.removesuffix(SIGMOID))
    if prepared is not None:
        # The CV ran on every row with vectorisers fitted on them all: reuse them and the CV's
        # out-of-fold scores for the calibration instead of fitting again.
        model, x, y, oof = prepared
        model.settings = settings
        model._fit(x, y, started, oof=oof)
    else:
        model = TextClassifier.train(texts, labels, titles=titles, extra_words=extra_words, settings=settings)
    report["chosen"] = name
    model.metadata["selection"] = report
    model.metadata["train_seconds_with_selection"] = round(time.perf_counter() - started, 1)
    return model
