"""Benchmark: teddycup2020c 7-class category with TextClassifier.

Stratified 5-fold CV on train.csv rows; extra_segmented.csv rows join every training fold but are never
evaluated (the hidden holdout is raw text like train.csv). Then one model on everything: training
seconds and prediction throughput. Prints JSON lines. Exits 0 with a message when the data is absent.

    .venv/bin/python bench/triage_category.py [--no-extra] [--folds 5]
"""

from __future__ import annotations

import argparse

from _common import cross_validate, full_run, require


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-extra", action="store_true", help="train on train.csv only")
    parser.add_argument("--set", action="append", help="override a FeatureSettings field: name=value")
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--skip-cv", action="store_true", help="only the full-data timing run")
    args = parser.parse_args()
    train_csv, extra_csv = require("teddycup2020c/train.csv", "teddycup2020c/extra_segmented.csv")

    from xinfang.triage.csvdata import read_labelled_csv

    rows = read_labelled_csv(train_csv)
    extra = None if args.no_extra else read_labelled_csv(extra_csv)
    if not args.skip_cv:
        cross_validate(
            rows.texts,
            rows.titles,
            rows.labels,
            extra=None if extra is None else (extra.texts, extra.labels),
            folds=args.folds,
            settings=args.set,
            name="teddycup2020c_category",
        )

    if args.cv_only:
        return
    texts, titles, labels = list(rows.texts), list(rows.titles), list(rows.labels)
    if extra is not None:
        texts += extra.texts
        titles += [""] * len(extra)
        labels += extra.labels
    full_run("teddycup2020c_category_full", texts, titles, labels, rows.texts, rows.titles, args.set)


if __name__ == "__main__":
    main()
