"""Chinese petition text classifier: jieba words (via rjieba) + character n-grams, TF-IDF, linear SVM.

Contract:
- ``TextClassifier.train(texts, labels, titles=None, extra_words=())`` fits a model; texts may be raw
  Chinese or pre-segmented (space-separated tokens, stopwords already removed); both are mapped to the
  same word and character features.
- ``predict`` returns one :class:`Prediction` per text: the label, a probability-like confidence (softmax
  of the SVM scores with a temperature fitted on cross-validated scores), the top-3 alternatives and up to
  five words of the text that pushed hardest toward the label.
- ``save(dir)`` / ``load(dir)`` round-trip exactly; loading needs no network (the segmenter's dictionary
  ships with rjieba; user words are stored with the model).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from xinfang.triage import segment

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]]
    evidence: list[str]


@dataclass(frozen=True)
class FeatureSettings:
    """Tuned by 5-fold CV on teddycup2020c (bench/triage_category.py); see that script for figures."""

    word_ngram_max: int = 2
    char_ngram: tuple[int, int] = (1, 3)
    min_df: int = 2
    max_df: float = 0.5
    word_weight: float = 1.0
    char_weight: float = 1.0
    title_weight: float = 0.0
    svm_c: float = 1.0
    class_weight: str | None = "balanced"
    mask_names: bool = True
    # Function words carry the *kind* of message (请问…吗 = inquiry) though not its topic.
    drop_stopwords: bool = True
    calibration_folds: int = 3
    # liblinear's dual solver. scikit-learn's default ("auto") switches to the primal one once there
    # are more rows than features: on 24,000 petitions the same category model then took 3.4x as
    # long to train, the four models 2.4x (bench/triage_training.py).
    svm_dual: bool | str = True
    # Long letters are cut to their first max_chars characters: the matter is stated up front, and
    # the tail of a few very long letters otherwise dominates segmentation time.
    max_chars: int = 1000


# Topic labels (category, domain): the defaults. Message-kind labels (建言 / 投诉/求助 / 咨询):
# function words matter and a stronger regularisation wins (MSGABench CV: 0.812 → 0.824 macro-F1).
TOPIC_SETTINGS = FeatureSettings()
INTENT_SETTINGS = FeatureSettings(svm_c=0.1, drop_stopwords=False, max_df=1.0)


@dataclass
class _Doc:
    words: list[str]
    chars: str
    title_words: list[str] = field(default_factory=list)


def _identity(tokens):
    return tokens


def _with_bigrams(tokens):
    return list(tokens) + [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of out-of-fold scores (grid search)."""
    best_t, best_nll = 1.0, np.inf
    rows = np.arange(len(y))
    for t in np.geomspace(0.1, 50.0, 80):
        p = _softmax(scores, t)
        nll = -np.log(np.clip(p[rows, y], 1e-12, None)).mean()
        if nll < best_nll:
            best_t, best_nll = float(t), nll
    return best_t


class TextClassifier:
    def __init__(self, settings: FeatureSettings, extra_words: list[str]):
        self.settings = settings
        self.extra_words = list(extra_words)
        self.labels: list[str] = []
        self.temperature = 1.0
        self.metadata: dict = {}
        self._word_vec: TfidfVectorizer | None = None
        self._char_vec: TfidfVectorizer | None = None
        self._title_vec: TfidfVectorizer | None = None
        self._clf: LinearSVC | None = None
        self._names: list[tuple[str, str]] | None = None

    # ----- features -------------------------------------------------------------------------------
    def _docs(self, texts: list[str], titles: list[str] | None) -> list[_Doc]:
        if titles is not None and len(titles) != len(texts):
            raise ValueError("titles and texts differ in length")
        mask, drop = self.settings.mask_names, self.settings.drop_stopwords
        docs = []
        limit = self.settings.max_chars
        for i, text in enumerate(texts):
            title = (titles[i] or "") if titles is not None else ""
            text = text[: max(0, limit - len(title))] if limit else text
            title_words = segment.words(title, mask_names=mask, drop_stopwords=drop) if title else []
            docs.append(
                _Doc(
                    words=title_words + segment.words(text, mask_names=mask, drop_stopwords=drop),
                    chars=segment.char_text(title + text),
                    title_words=title_words,
                )
            )
        return docs

    def _blocks(self, docs: list[_Doc], fit: bool) -> sp.csr_matrix:
        s = self.settings
        if fit:
            self._word_vec = TfidfVectorizer(
                analyzer=_with_bigrams if s.word_ngram_max >= 2 else _identity,
                sublinear_tf=True,
                min_df=s.min_df,
                max_df=s.max_df,
                dtype=np.float32,
            )
            self._char_vec = TfidfVectorizer(
                analyzer="char",
                ngram_range=s.char_ngram,
                sublinear_tf=True,
                min_df=s.min_df,
                max_df=s.max_df,
                lowercase=False,
                dtype=np.float32,
            )
        step = "fit_transform" if fit else "transform"
        blocks = [
            getattr(self._word_vec, step)([d.words for d in docs]) * s.word_weight,
            getattr(self._char_vec, step)([d.chars for d in docs]) * s.char_weight,
        ]
        if s.title_weight:
            if fit:
                self._title_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
            blocks.append(getattr(self._title_vec, step)([d.title_words for d in docs]) * s.title_weight)
        return sp.hstack(blocks, format="csr")

    # ----- training -------------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        texts: list[str],
        labels: list[str],
        *,
        titles: list[str] | None = None,
        extra_words: list[str] | tuple[str, ...] = (),
        settings: FeatureSettings | None = None,
    ) -> TextClassifier:
        """Fit on ``texts`` (raw or pre-segmented) and ``labels``; ``extra_words`` are added to jieba."""
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        if len(set(labels)) < 2:
            raise ValueError("need at least two distinct labels")
        started = time.perf_counter()
        model = cls(settings or FeatureSettings(), list(extra_words))
        segment.add_user_words(model.extra_words)
        docs = model._docs(list(texts), titles)
        x = model._blocks(docs, fit=True)
        model.labels = sorted(set(labels))
        y = np.array([model.labels.index(label) for label in labels])
        model._clf = model._svm().fit(x, y)
        model.temperature = model._calibrate(x, y)
        model._feature_names()
        model.metadata = {
            "format_version": FORMAT_VERSION,
            "labels": model.labels,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "n_train": len(texts),
            "train_seconds": round(time.perf_counter() - started, 2),
            "temperature": model.temperature,
            "settings": asdict(model.settings),
            "extra_words": model.extra_words,
            "n_features": int(x.shape[1]),
            "versions": _library_versions(),
        }
        return model

    def _svm(self) -> LinearSVC:
        s = self.settings
        return LinearSVC(C=s.svm_c, class_weight=s.class_weight, dual=s.svm_dual)

    def _calibrate(self, x: sp.csr_matrix, y: np.ndarray) -> float:
        """Out-of-fold SVM scores (the vectorisers are shared; only the SVM is refitted per fold)."""
        folds = min(self.settings.calibration_folds, int(np.bincount(y).min()))
        if folds < 2:
            return 1.0
        oof = np.zeros((len(y), len(self.labels)), dtype=np.float64)
        skf = StratifiedKFold(folds, shuffle=True, random_state=0)
        for fit_rows, held_rows in skf.split(x, y):
            if len(np.unique(y[fit_rows])) < len(self.labels):
                return 1.0
            clf = self._svm().fit(x[fit_rows], y[fit_rows])
            oof[held_rows] = _scores(clf, x[held_rows])
        return _fit_temperature(oof, y)

    # ----- prediction -----------------------------------------------------------------------------
    def predict(
        self, texts: list[str], titles: list[str] | None = None, *, n_jobs: int = 1
    ) -> list[Prediction]:
        """One prediction per text. ``n_jobs`` > 1 forks worker processes for large batches (batch jobs
        and benchmarks only: forking a multi-threaded web server process is unsafe)."""
        texts = list(texts)
        if n_jobs > 1 and len(texts) >= 200 * n_jobs and "fork" in mp.get_all_start_methods():
            return self._predict_forked(texts, titles, n_jobs)
        return self._predict_serial(texts, titles)

    def _predict_forked(self, texts, titles, n_jobs: int) -> list[Prediction]:
        global _FORK_MODEL
        step = -(-len(texts) // n_jobs)
        chunks = [
            (texts[i : i + step], titles[i : i + step] if titles is not None else None)
            for i in range(0, len(texts), step)
        ]
        _FORK_MODEL = self
        try:
            with mp.get_context("fork").Pool(n_jobs) as pool:
                parts = pool.map(_predict_chunk, chunks)
        finally:
            _FORK_MODEL = None
        return [p for part in parts for p in part]

    def _predict_serial(self, texts: list[str], titles: list[str] | None) -> list[Prediction]:
        if not texts:
            return []
        docs = self._docs(texts, titles)
        x = self._blocks(docs, fit=False)
        scores = _scores(self._clf, x)
        probs = _softmax(scores, self.temperature)
        names = self._feature_names()
        coef = self._clf.coef_
        if coef.shape[0] == 1:  # binary: one weight row scores the second label
            coef = np.vstack([-coef[0], coef[0]])
        out = []
        for i in range(len(docs)):
            order = np.argsort(-probs[i])
            top = int(order[0])
            out.append(
                Prediction(
                    label=self.labels[top],
                    confidence=float(probs[i, top]),
                    alternatives=[(self.labels[j], float(probs[i, j])) for j in order[:3]],
                    evidence=_evidence(
                        x.data[x.indptr[i] : x.indptr[i + 1]],
                        x.indices[x.indptr[i] : x.indptr[i + 1]],
                        coef[top],
                        names,
                        docs[i].chars,
                    ),
                )
            )
        return out

    def _feature_names(self) -> list[tuple[str, str]]:
        """(kind, text) per column, computed once; kind is "w" (word/bigram), "c" (char) or "t" (title)."""
        if self._names is None:
            names = [("w", f) for f in self._word_vec.get_feature_names_out()]
            names += [("c", f) for f in self._char_vec.get_feature_names_out()]
            if self._title_vec is not None:
                names += [("t", f) for f in self._title_vec.get_feature_names_out()]
            self._names = names
        return self._names

    # ----- persistence ----------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "settings": asdict(self.settings),
            "extra_words": self.extra_words,
            "labels": self.labels,
            "temperature": self.temperature,
            "word_vec": self._word_vec,
            "char_vec": self._char_vec,
            "title_vec": self._title_vec,
            "clf": self._clf,
        }
        tmp = directory / (MODEL_FILE + ".tmp")
        joblib.dump(state, tmp, compress=3)
        tmp.replace(directory / MODEL_FILE)
        (directory / METADATA_FILE).write_text(
            json.dumps(self.metadata, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> TextClassifier:
        directory = Path(directory)
        state = joblib.load(directory / MODEL_FILE)
        settings = dict(state["settings"])
        settings["char_ngram"] = tuple(settings["char_ngram"])
        model = cls(FeatureSettings(**settings), state["extra_words"])
        segment.add_user_words(model.extra_words)
        model.labels = state["labels"]
        model.temperature = state["temperature"]
        model._word_vec = state["word_vec"]
        model._char_vec = state["char_vec"]
        model._title_vec = state["title_vec"]
        model._clf = state["clf"]
        model._feature_names()
        meta_path = directory / METADATA_FILE
        model.metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return model


_FORK_MODEL: TextClassifier | None = None


def _predict_chunk(chunk):
    return _FORK_MODEL._predict_serial(*chunk)


def _scores(clf: LinearSVC, x) -> np.ndarray:
    scores = clf.decision_function(x)
    if scores.ndim == 1:  # binary: sklearn returns the positive-class score only
        scores = np.column_stack([-scores, scores])
    return scores


def _evidence(
    data: np.ndarray, indices: np.ndarray, coef: np.ndarray, names, chars: str, limit: int = 5
) -> list[str]:
    """The readable terms of this text with the largest positive contribution to the chosen label.

    Words (jieba unigrams, adjacent bigrams shown joined when contiguous in the text) rank first;
    character n-grams of two or more characters only fill remaining places. A term overlapping one
    already chosen (one contains the other) is skipped, so the list is not five spellings of one word.
    """
    contrib = data * coef[indices]
    # Only the strongest few dozen features can make the list; rank them without touching the rest.
    positive = np.flatnonzero(contrib > 0)
    if len(positive) > 40:
        positive = positive[np.argpartition(-contrib[positive], 40)[:40]]
    words: dict[str, float] = {}
    grams: dict[str, float] = {}
    for k in positive:
        value = float(contrib[k])
        kind, term = names[indices[k]]
        if kind == "c":
            if len(term) >= 2:
                grams[term] = grams.get(term, 0.0) + value
            continue
        if segment.MASK_TOKEN in term:
            continue
        joined = term.replace(" ", "")
        if " " in term and joined not in chars:
            continue
        words[joined] = words.get(joined, 0.0) + value
    chosen: list[str] = []
    for pool in (words, grams):
        for term, _ in sorted(pool.items(), key=lambda kv: -kv[1]):
            if len(chosen) >= limit:
                return chosen
            if term not in chars or any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
    return chosen


def _library_versions() -> dict[str, str]:
    from importlib.metadata import version

    import sklearn

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": __import__("scipy").__version__,
        "rjieba": version("rjieba"),
        "joblib": joblib.__version__,
    }
