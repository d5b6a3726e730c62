"""Benchmark: teddycup2020c 7-class category with the CLI's own training.

Splits train.csv once (stratified, 20 % held out, fixed seed); ``xinfang triage train`` runs on the rest
plus every extra_segmented.csv row (never evaluated: the hidden holdout is raw text like train.csv),
choosing its pipeline by 3-fold CV; ``xinfang triage evaluate`` scores the held-out rows, next to a
plain character TF-IDF + linear SVM on the same split. Prints JSON lines. Exits 0 with a message when
the data is absent.

    .venv/bin/python bench/triage_category.py [--no-extra] [--seed 0]
"""

from __future__ import annotations

import argparse

from _common import cli_holdout_run, require


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-extra", action="store_true", help="train on train.csv only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train_csv, extra_csv = require("teddycup2020c/train.csv", "teddycup2020c/extra_segmented.csv")

    from xinfang.triage.csvdata import read_labelled_csv

    rows = read_labelled_csv(train_csv)
    extra = None if args.no_extra else read_labelled_csv(extra_csv)
    cli_holdout_run(
        "teddycup2020c_category",
        rows,
        extra=None if extra is None else (extra.texts, extra.labels),
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
