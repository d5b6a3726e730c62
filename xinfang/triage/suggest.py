"""Suggestions for one petition text: category, class, claim route (Art. 31) and responsible unit.

Each suggestion has a value, a Chinese label, a confidence in [0, 1], up to three alternatives and the
words that drove it. With a trained model set the models answer (the unit model's vote is blended with
the dispatch catalogue's); without one the catalogue and keyword rules answer alone (``source``
"catalogue" / "rule"), so a new installation gets useful suggestions on its first day.

Models are loaded once per process and reloaded when a newer active ``ModelVersion`` appears (one
indexed query per call; training never happens on a request).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from xinfang.petitions.choices import ClaimRoute, PetitionClass

from .catalogue import Match, get_catalogue, rule_class, rule_route
from .models import ModelVersion
from .textmodel import TextClassifier
from .training import TARGETS

log = logging.getLogger("xinfang.triage")

CATALOGUE_WEIGHT = 0.5  # share of the catalogue in the blended unit score when both answer
# Alternatives less likely than this are not shown: a list of 0 % options is noise to a registrar.
ALTERNATIVE_MIN = 0.10
EVIDENCE_LIMIT = 6
FIELD_LABELS = {"category": "分类", "petition_class": "类别", "claim_route": "处理途径", "unit": "承办单位"}


@dataclass
class Suggestion:
    field: str
    value: str
    label: str
    confidence: float
    source: str  # model / catalogue / rule
    alternatives: list[dict] = field(default_factory=list)  # {value, label, confidence}
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ModelSet:
    version_id: int | None
    models: dict[str, TextClassifier]


_lock = threading.Lock()
_current = ModelSet(None, {})


def current_models() -> ModelSet:
    """The newest active model set (cached per process)."""
    global _current
    newest = ModelVersion.objects.filter(is_active=True).order_by("-pk").values_list("pk", "path").first()
    if newest is None:
        _current = ModelSet(None, {})
        return _current
    if newest[0] == _current.version_id:
        return _current
    with _lock:
        if newest[0] != _current.version_id:
            _current = _load(*newest)
    return _current


def _load(version_id: int, path: str) -> ModelSet:
    root = Path(path)
    if not root.is_absolute():
        root = Path(settings.TRIAGE_MODEL_DIR) / root
    models = {}
    for target in TARGETS:
        if (root / target / "model.joblib").exists():
            try:
                models[target] = TextClassifier.load(root / target)
            except Exception:  # noqa: BLE001 - a broken model file must not stop registration
                log.exception("cannot load triage model %s of version %s", target, version_id)
    return ModelSet(version_id, models)


def reset_cache() -> None:
    global _current
    _current = ModelSet(None, {})


# ----- labels ------------------------------------------------------------------------------------
_category_cache: dict[str, object] = {"names": {}, "at": -1e9}


def _category_names() -> dict[str, str]:
    """Category id → display name, refreshed every minute (labels only; no query per suggestion)."""
    import time

    from xinfang.units.models import Category

    if time.monotonic() - _category_cache["at"] > 60:
        names = {str(c.pk): str(c) for c in Category.objects.filter(is_active=True).select_related("parent")}
        _category_cache.update(names=names, at=time.monotonic())
    return _category_cache["names"]


def invalidate_labels() -> None:
    _category_cache["at"] = -1e9


def label_of(target: str, value: str) -> str:
    if value in ("", None):
        return ""
    if target == "petition_class":
        return str(PetitionClass(value).label) if value in PetitionClass.values else value
    if target == "claim_route":
        return (
            str(ClaimRoute(int(value)).label)
            if value.isdigit() and int(value) in ClaimRoute.values
            else value
        )
    if target == "unit":
        unit = get_catalogue().units.get(int(value)) if value.isdigit() else None
        return unit.name if unit else ""
    return _category_names().get(value, "")


# ----- suggestions -------------------------------------------------------------------------------
def model_text(title: str, text: str) -> str:
    """What the models read: the title and the text, as they were trained."""
    return f"{title or ''}。{text or ''}"


@dataclass
class Predicted:
    """The models' predictions for a batch of texts, made at once (the worker's triage): a batch
    costs the models about a tenth of the same texts one by one. ``models`` made them; the batch's
    suggestions name that version even if a newer one was activated while the batch ran."""

    models: ModelSet
    by_text: list[dict]


def predict_batch(texts: list[str]) -> Predicted:
    """Every model's prediction for each of ``texts`` (``model_text`` of title and text)."""
    models = current_models()
    by_text: list[dict] = [{} for _ in texts]
    for target, model in models.models.items():
        for row, prediction in zip(by_text, model.predict(list(texts)), strict=True):
            row[target] = prediction
    return Predicted(models, by_text)


def suggest(
    *,
    title: str,
    text: str,
    town_id: int | None = None,
    place: str = "",
    predicted: Predicted | None = None,
    row: int = 0,
) -> tuple[dict[str, Suggestion], int | None]:
    """Suggestions by field, and the model version used (None in catalogue-only mode).

    ``place`` (the address where the problem is) is read by the catalogue only, not by the models.
    ``predicted`` (row ``row``) holds the models' predictions made for a batch: they are used, with
    the version that made them, instead of asking for the current models and predicting again."""
    full = model_text(title, text)
    models = predicted.models if predicted is not None else current_models()
    match = get_catalogue().match(f"{full} {place or ''}")
    out: dict[str, Suggestion] = {}
    if predicted is not None:
        predictions = dict(predicted.by_text[row])
    else:
        predictions = {}
        for target in ("category", "petition_class", "unit"):
            if target in models.models:
                predictions[target] = models.models[target].predict([full])[0]
        claim = predictions.get("petition_class")
        if "claim_route" in models.models and (claim is None or claim.label == PetitionClass.CLAIM):
            predictions["claim_route"] = models.models["claim_route"].predict([full])[0]
    if "category" in predictions:
        s = _from_prediction("category", predictions["category"])
        if s is not None:
            out["category"] = s
    if "petition_class" in predictions:
        out["petition_class"] = _from_prediction("petition_class", predictions["petition_class"])
    else:
        out["petition_class"] = _from_rule("petition_class", *rule_class(full))
    if out.get("petition_class") and out["petition_class"].value == PetitionClass.CLAIM:
        if "claim_route" in predictions:
            out["claim_route"] = _from_prediction("claim_route", predictions["claim_route"])
        else:
            out["claim_route"] = _from_rule("claim_route", *rule_route(full))
    unit = _unit(predictions.get("unit"), match, town_id)
    if unit is not None:
        out["unit"] = unit
    if out.get("petition_class") and out["petition_class"].value == PetitionClass.ACCUSATION:
        _accusation_to_discipline(out)
    return {k: v for k, v in out.items() if v is not None}, models.version_id


def _from_rule(target: str, value, words: list[str]) -> Suggestion:
    """A keyword rule's answer: more confident when words of the rule were found."""
    value = str(value)
    return Suggestion(target, value, label_of(target, value), 0.6 if words else 0.4, "rule", evidence=words)


def _from_prediction(target: str, prediction) -> Suggestion | None:
    label = label_of(target, prediction.label)
    if not label:  # a category or unit deactivated since training
        return None
    return Suggestion(
        target,
        prediction.label,
        label,
        round(prediction.confidence, 3),
        "model",
        alternatives=[
            {"value": v, "label": label_of(target, v), "confidence": round(p, 3)}
            for v, p in prediction.alternatives[1:]
            if p >= ALTERNATIVE_MIN and label_of(target, v)
        ],
        evidence=list(prediction.evidence)[:EVIDENCE_LIMIT],
    )


def _catalogue_scores(match: Match, town_id: int | None) -> tuple[dict[str, float], dict[str, list[str]]]:
    cat = get_catalogue()
    scores: dict[str, float] = {}
    words: dict[str, list[str]] = {}
    hits = list(match.departmental) + list(match.territorial)
    if town_id:
        town = cat.town_of(town_id)
        if town:
            scores[str(town)] = scores.get(str(town), 0.0) + 2.0
            words.setdefault(str(town), []).append("问题属地：" + cat.units[town].name)
    for hit in hits:
        # Departments outrank territory at equal strength: a subject keyword names who is in charge.
        boost = 1.5 if cat.units[hit.unit_id].kind != "territorial" else 1.0
        scores[str(hit.unit_id)] = scores.get(str(hit.unit_id), 0.0) + hit.score * boost
        words.setdefault(str(hit.unit_id), []).extend(hit.words)
    total = sum(scores.values())
    return ({k: v / total for k, v in scores.items()} if total else {}), words


def _unit(prediction, match: Match, town_id: int | None) -> Suggestion | None:
    catalogue, words = _catalogue_scores(match, town_id)
    if prediction is None:
        if not catalogue:
            return None
        # 谁主管、谁负责: a subject keyword names the department in charge; the territory comes next.
        cat = get_catalogue()
        ranked = sorted(
            catalogue.items(), key=lambda kv: (cat.units[int(kv[0])].kind == "territorial", -kv[1])
        )
        value, share = ranked[0]
        strength = min(1.0, sum(len(w) for w in words[value]) / 6)
        return Suggestion(
            "unit",
            value,
            label_of("unit", value),
            round(0.35 + 0.5 * share * strength, 3),
            "catalogue",
            alternatives=[
                {"value": v, "label": label_of("unit", v), "confidence": round(0.35 * s, 3)}
                for v, s in ranked[1:3]
                if 0.35 * s >= ALTERNATIVE_MIN
            ],
            evidence=_dedupe(words[value])[:EVIDENCE_LIMIT],
        )
    model = {v: p for v, p in prediction.alternatives}
    model.setdefault(prediction.label, prediction.confidence)
    weight = CATALOGUE_WEIGHT if catalogue else 0.0
    blended = {
        v: (1 - weight) * model.get(v, 0.0) + weight * catalogue.get(v, 0.0)
        for v in set(model) | set(catalogue)
    }
    ranked = [(v, s) for v, s in sorted(blended.items(), key=lambda kv: -kv[1]) if label_of("unit", v)]
    if not ranked:
        return None
    value, score = ranked[0]
    evidence = _dedupe(words.get(value, []) + (prediction.evidence if value == prediction.label else []))
    return Suggestion(
        "unit",
        value,
        label_of("unit", value),
        round(score, 3),
        "model" if value in model else "catalogue",
        alternatives=[
            {"value": v, "label": label_of("unit", v), "confidence": round(s, 3)}
            for v, s in ranked[1:3]
            if s >= ALTERNATIVE_MIN
        ],
        evidence=evidence[:EVIDENCE_LIMIT],
    )


def _accusation_to_discipline(out: dict[str, Suggestion]) -> None:
    """检举控告 goes to the discipline unit (Art. 22), whatever the words say about the subject."""
    cat = get_catalogue()
    discipline = [u for u in cat.units.values() if u.kind == "discipline"]
    if not discipline:
        return
    unit = min(discipline, key=lambda u: u.id)
    current = out.get("unit")
    if current is not None and current.value == str(unit.id):
        return
    confidence = out["petition_class"].confidence
    out["unit"] = Suggestion(
        "unit",
        str(unit.id),
        unit.name,
        round(confidence, 3),
        "rule",
        alternatives=[{"value": current.value, "label": current.label, "confidence": current.confidence}]
        if current
        else [],
        evidence=["检举控告类事项转送纪检监察机关（第二十二条）"],
    )


def _dedupe(words: list[str]) -> list[str]:
    seen, out = set(), []
    for w in words:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out
