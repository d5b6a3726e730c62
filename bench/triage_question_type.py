"""Benchmark: MSGABench question_type (建言 / 投诉/求助 / 咨询) with the CLI's own training.

Splits messages_train.csv once (stratified, 20 % held out, fixed seed), runs ``xinfang triage train``
on the rest (it chooses its pipeline by 3-fold CV and prints every candidate's figure), then
``xinfang triage evaluate`` on the held-out part, next to a plain character TF-IDF + linear SVM on the
same split. Prints JSON lines. Exits 0 with a message when the data is absent.

    .venv/bin/python bench/triage_question_type.py [--seed 0]
"""

from __future__ import annotations

import argparse

from _common import cli_holdout_run, require


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    (messages_csv,) = require("msgabench/messages_train.csv")

    from xinfang.triage.csvdata import read_labelled_csv

    rows = read_labelled_csv(messages_csv, label_column="question_type")
    cli_holdout_run("msgabench_question_type", rows, seed=args.seed)


if __name__ == "__main__":
    main()
