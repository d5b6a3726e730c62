"""Benchmark: MSGABench question_type (建言 / 投诉/求助 / 咨询) with TextClassifier.

Stratified 5-fold CV on messages_train.csv, then one model on everything: training seconds and
prediction throughput. Prints JSON lines. Exits 0 with a message when the data is absent.

    .venv/bin/python bench/triage_question_type.py [--folds 5]
"""

from __future__ import annotations

import argparse

from _common import cross_validate, full_run, require


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", action="append", help="override a FeatureSettings field: name=value")
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--skip-cv", action="store_true", help="only the full-data timing run")
    args = parser.parse_args()
    (messages_csv,) = require("msgabench/messages_train.csv")

    from xinfang.triage.csvdata import read_labelled_csv
    from xinfang.triage.textmodel import INTENT_SETTINGS

    rows = read_labelled_csv(messages_csv, label_column="question_type")
    if not args.skip_cv:
        cross_validate(
            rows.texts,
            None,
            rows.labels,
            folds=args.folds,
            settings=args.set,
            base=INTENT_SETTINGS,
            name="msgabench_question_type",
        )
    if args.cv_only:
        return
    full_run(
        "msgabench_question_type_full",
        rows.texts,
        None,
        rows.labels,
        rows.texts,
        None,
        args.set,
        INTENT_SETTINGS,
    )


if __name__ == "__main__":
    main()
