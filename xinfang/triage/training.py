"""Training the suggestion models from the bureau's own concluded petitions (and registrars' corrections).

Four targets, one :class:`TextClassifier` each, its pipeline chosen by cross-validation on the
bureau's own rows (selection.train_selected; the choice and the CV figures are in the version's
metrics and each model's metadata): ``category`` (Category id), ``petition_class``,
``claim_route`` (Art. 31 route of claims) and ``unit`` (the handling unit at the first instance).
Labels come from concluded petitions (their classification was settled by handling); a registrar's
correction overrides the petition's own value. The most recent ``TRIAGE_TRAIN_LIMIT`` rows per target
are used: older matters add time, not accuracy, and recent ones follow today's catalogue of units.
A model set is a directory ``models/v<timestamp>/<target>/`` under ``TRIAGE_MODEL_DIR`` and one
``ModelVersion`` row; processes reload when a newer row appears (suggest.current_models).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from xinfang.petitions.choices import PetitionClass, Stage, Status
from xinfang.petitions.models import Petition

from .catalogue import get_catalogue
from .models import Correction, ModelVersion
from .selection import train_selected

log = logging.getLogger("xinfang.triage")

TARGETS = ("category", "petition_class", "claim_route", "unit")
CONCLUDED = [Status.OPINION_ISSUED, Status.CLOSED, Status.DIVERTED]
MIN_ROWS = 10  # per target; below it the catalogue and rules answer alone


def train_limit() -> int:
    return int(getattr(settings, "TRIAGE_TRAIN_LIMIT", 30000))


def selection_rows() -> int:
    """Rows per target used to choose the pipeline by CV (a stratified sample; the model trains on all)."""
    return int(getattr(settings, "TRIAGE_SELECTION_ROWS", 6000))


def model_root() -> Path:
    return Path(settings.TRIAGE_MODEL_DIR) / "models"


def petition_text(title: str, content: str) -> str:
    return f"{title or ''}。{content or ''}"


def _label(target: str, row: dict) -> str:
    value = {
        "category": row["category_id"],
        "petition_class": row["petition_class"],
        "claim_route": row["claim_route"],
        "unit": row["handling_unit_id"],
    }[target]
    return "" if value in (None, "") else str(value)


def database_datasets(limit: int | None = None) -> dict[str, tuple[list[str], list[str]]]:
    """target → (texts, labels), newest first; corrections override labels and always join."""
    limit = limit or train_limit()
    corrected: dict[int, dict[str, str]] = {}
    for c in Correction.objects.order_by("at", "pk").values("petition_id", "field", "chosen"):
        corrected.setdefault(c["petition_id"], {})[c["field"]] = c["chosen"]
    fields = ("id", "title", "content", "category_id", "petition_class", "claim_route", "handling_unit_id")
    concluded = Q(status__in=CONCLUDED, stage=Stage.INITIAL) | Q(
        pk__in=Correction.objects.values("petition_id")
    )
    out: dict[str, tuple[list[str], list[str]]] = {t: ([], []) for t in TARGETS}
    counts = Counter()
    # Newest first: one pass over at most ~4 × limit rows covers every target.
    rows = Petition.objects.filter(concluded).order_by("-pk").values(*fields)
    for row in rows.iterator(chunk_size=5000):
        if min(counts[t] for t in TARGETS) >= limit:
            break
        overrides = corrected.get(row["id"], {})
        text = petition_text(row["title"], row["content"])
        for target in TARGETS:
            if counts[target] >= limit and target not in overrides:
                continue
            label = overrides.get(target) or _label(target, row)
            if target == "claim_route" and (overrides.get("petition_class") or row["petition_class"]) != (
                PetitionClass.CLAIM
            ):
                continue
            if not label:
                continue
            out[target][0].append(text)
            out[target][1].append(label)
            counts[target] += 1
    return out


def train_models(
    datasets: dict[str, tuple[list[str], list[str]]], *, source: str = "database", out: Path | None = None
) -> ModelVersion | None:
    """Train every target that has enough rows and two labels; register a ModelVersion.

    Returns None when no target could be trained (catalogue-only mode continues)."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    directory = Path(out) if out else model_root() / f"v{stamp}"
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    extra = get_catalogue().terms()
    n_train, metrics = {}, {}
    for target in TARGETS:
        texts, labels = datasets.get(target, ([], []))
        kinds = Counter(labels)
        # A label seen once cannot be calibrated or validated; keep labels with two or more rows.
        keep = [i for i, label in enumerate(labels) if kinds[label] >= 2]
        if len(keep) < MIN_ROWS or len({labels[i] for i in keep}) < 2:
            continue
        started = time.perf_counter()
        model = train_selected(
            [texts[i] for i in keep],
            [labels[i] for i in keep],
            extra_words=extra,
            max_rows=selection_rows(),
        )
        model.save(tmp / target)
        n_train[target] = len(keep)
        selection = model.metadata["selection"]
        metrics[target] = {
            "labels": len(model.labels),
            "seconds": round(time.perf_counter() - started, 1),
            "chosen": selection.get("chosen"),
            "cv_macro_f1": {k: v["macro_f1_mean"] for k, v in selection.get("candidates", {}).items()},
        }
        log.info("triage model %s trained on %d rows", target, len(keep))
    if not n_train:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    (tmp / "version.json").write_text(
        json.dumps({"source": source, "n_train": n_train, "metrics": metrics}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    if directory.exists():
        shutil.rmtree(directory)
    tmp.rename(directory)
    try:
        relative = str(directory.relative_to(Path(settings.TRIAGE_MODEL_DIR)))
    except ValueError:
        relative = str(directory)
    return ModelVersion.objects.create(
        path=relative,
        source=source,
        n_train=n_train,
        metrics=metrics,
        n_corrections=Correction.objects.count(),
    )


def train_from_database(limit: int | None = None) -> ModelVersion | None:
    return train_models(database_datasets(limit), source="database")


def prune_old_versions(keep: int = 3) -> int:
    """Delete model directories of all but the newest ``keep`` versions (rows stay for history)."""
    removed = 0
    for version in ModelVersion.objects.filter(is_active=True).order_by("-pk")[keep:]:
        path = Path(settings.TRIAGE_MODEL_DIR) / version.path
        shutil.rmtree(path, ignore_errors=True)
        ModelVersion.objects.filter(pk=version.pk).update(is_active=False)
        removed += 1
    return removed
