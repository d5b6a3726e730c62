"""xinfang triage train | evaluate | rebuild-index | status

xinfang triage train [--out DIR] [--no-index] [--workers N]         # from the database
xinfang triage train --data A.csv [--data B.csv …] [--label-column label] --out DIR
xinfang triage evaluate --model DIR --data FILE.csv [--label-column label] [--target T]
xinfang triage rebuild-index [--workers N]
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.triage.csvdata import CsvFormatError, LabelledRows, read_labelled_csv


def _read(paths: list[str], label_column: str) -> LabelledRows:
    merged = LabelledRows(titles=[])
    for path in paths:
        try:
            rows = read_labelled_csv(path, label_column=label_column)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except CsvFormatError as exc:
            raise CommandError(str(exc)) from exc
        merged.texts += rows.texts
        merged.labels += rows.labels
        merged.titles += rows.titles if rows.titles is not None else [""] * len(rows)
        merged.skipped += rows.skipped
    if not any(merged.titles):
        merged.titles = None
    return merged


class Command(BaseCommand):
    help = "智能研判：训练、评估模型，重建相似事项索引"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="训练（默认使用本库已办结的信访事项，或 --data 指定的 CSV）")
        train.add_argument("--data", action="append", default=[])
        train.add_argument("--label-column", default="label")
        train.add_argument("--out", default=None)
        train.add_argument("--limit", type=int, default=None, help="每个目标最多使用的最近事项数")
        train.add_argument("--no-index", action="store_true", help="只训练模型，不重建相似事项索引")
        train.add_argument("--workers", type=int, default=1)
        evaluate = sub.add_parser("evaluate", help="在带标签的 CSV 上评估模型")
        evaluate.add_argument("--model", required=True)
        evaluate.add_argument("--data", action="append", required=True)
        evaluate.add_argument("--label-column", default="label")
        evaluate.add_argument("--target", default=None, help="模型目录含多个目标时指定其一")
        rebuild = sub.add_parser("rebuild-index", help="重建相似事项索引并写入快照")
        rebuild.add_argument("--workers", type=int, default=1)
        sub.add_parser("status", help="模型版本与索引状态")

    def handle(self, *args, action, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _emit(self, body: dict) -> None:
        self.stdout.write(json.dumps(body, ensure_ascii=False))

    def _train(self, *, data, label_column, out, limit, no_index, workers, **_):
        started = time.perf_counter()
        if data:
            if not out:
                raise CommandError("使用 --data 训练时请用 --out 指定模型目录")
            from xinfang.triage.selection import train_selected

            rows = _read(data, label_column)
            try:
                # The pipeline a bureau gets: chosen by cross-validation on these rows (the CLI used
                # to train the topic defaults whatever the labels, e.g. for message kinds too).
                model = train_selected(rows.texts, rows.labels, titles=rows.titles)
            except ValueError as exc:
                raise CommandError(f"无法训练：{exc}") from exc
            model.save(out)
            self._emit(
                {
                    "source": "csv",
                    "n": len(rows),
                    "skipped": rows.skipped,
                    "labels": len(model.labels),
                    "chosen": model.metadata["selection"].get("chosen"),
                    "selection": model.metadata["selection"],
                    "out": str(Path(out)),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
            return
        from xinfang.triage.jobs import rebuild_index
        from xinfang.triage.training import database_datasets, train_models

        version = train_models(database_datasets(limit), source="database", out=Path(out) if out else None)
        train_seconds = time.perf_counter() - started
        body = {
            "source": "database",
            "model_version": version.pk if version else None,
            "n_train": version.n_train if version else {},
            "train_seconds": round(train_seconds, 1),
        }
        if version is None:
            body["note"] = "历史数据不足，继续使用派单目录"
        if not no_index:
            t0 = time.perf_counter()
            synced = rebuild_index(workers=workers)
            body.update(
                index_items=len(synced) if synced else 0, index_seconds=round(time.perf_counter() - t0, 1)
            )
        self._emit(body)

    def _evaluate(self, *, model, data, label_column, target, **_):
        import numpy as np
        from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

        from xinfang.triage.textmodel import TextClassifier

        directory = Path(model)
        if target:
            directory = directory / target
        if not (directory / "model.joblib").exists():
            raise CommandError(
                f"目录“{directory}”中没有模型文件（model.joblib）；多目标模型请用 --target 指定"
            )
        classifier = TextClassifier.load(directory)
        rows = _read(data, label_column)
        started = time.perf_counter()
        predicted = [p.label for p in classifier.predict(rows.texts, rows.titles)]
        seconds = time.perf_counter() - started
        truth = np.asarray(rows.labels)
        labels = sorted(set(rows.labels) | set(predicted))
        precision, recall, f1, support = precision_recall_fscore_support(
            truth, predicted, labels=labels, zero_division=0
        )
        self._emit(
            {
                "n": len(rows),
                "accuracy": round(float(accuracy_score(truth, predicted)), 4),
                "macro_f1": round(
                    float(
                        f1_score(
                            truth,
                            predicted,
                            labels=sorted(set(rows.labels)),
                            average="macro",
                            zero_division=0,
                        )
                    ),
                    4,
                ),
                "per_class": {
                    label: {
                        "precision": round(float(p), 4),
                        "recall": round(float(r), 4),
                        "f1": round(float(f), 4),
                        "support": int(s),
                    }
                    for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
                },
                "docs_per_second": round(len(rows) / seconds, 1) if seconds > 0 else None,
                "model": {
                    "chosen": (classifier.metadata.get("selection") or {}).get("chosen"),
                    "calibration": classifier.metadata.get("calibration", "temperature"),
                    "n_train": classifier.metadata.get("n_train"),
                    "selection": classifier.metadata.get("selection"),
                },
            }
        )

    def _rebuild_index(self, *, workers, **_):
        from xinfang.triage import index_sync
        from xinfang.triage.jobs import rebuild_index

        started = time.perf_counter()
        synced = rebuild_index(workers=workers)
        if synced is None:
            raise CommandError(f"信访事项少于 {index_sync.MIN_ROWS} 件，暂不建立相似事项索引")
        self._emit(
            {
                "index_items": len(synced),
                "seconds": round(time.perf_counter() - started, 1),
                "snapshot": str(index_sync.snapshots()[0].name),
            }
        )

    def _status(self, **_):
        from xinfang.triage import index_sync
        from xinfang.triage.models import Correction, ModelVersion

        latest = ModelVersion.objects.filter(is_active=True).order_by("-pk").first()
        snaps = index_sync.snapshots()
        self._emit(
            {
                "model_version": latest.pk if latest else None,
                "trained_at": latest.created_at.isoformat() if latest else None,
                "n_train": latest.n_train if latest else {},
                "corrections": Correction.objects.count(),
                "snapshots": [p.name for p in snaps],
            }
        )
