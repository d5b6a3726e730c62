"""Chinese petition text classifier: jieba words (via rjieba) + character n-grams, TF-IDF, linear SVM.

Contract:
- ``TextClassifier.train(texts, labels, titles=None, extra_words=())`` fits a model; texts may be raw
  Chinese or pre-segmented (space-separated tokens, stopwords already removed); both are mapped to the
  same word and character features.
- ``predict`` returns one :class:`Prediction` per text: the label, a probability-like confidence (softmax
  of the SVM scores with a temperature fitted on cross-validated scores, or per-label Platt curves), the
  top-3 alternatives and up to six whole words of the text that pushed hardest toward the label.
- ``save(dir)`` / ``load(dir)`` round-trip exactly; loading needs no network (the segmenter's dictionary
  ships with rjieba; user words are stored with the model).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from xinfang.triage import evidence, ngrams, segment
from xinfang.triage.nbsvm import NBLinearSVC

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
FORMAT_VERSION = 1
EVIDENCE_LIMIT = 6
WORD_CACHE_SIZE = 200_000  # words whose evidence columns are kept (a few tens of MB at most)


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
    # "temperature": softmax of the SVM scores with one fitted temperature (ranking unchanged);
    # "sigmoid": one Platt curve per label on out-of-fold scores, which also moves the decision
    # between labels (it can lift the macro-F1 of a rare label).
    calibration: str = "temperature"
    # False: character n-grams only (the plain model); jieba words are then used for evidence only.
    use_words: bool = True
    # liblinear's dual solver. scikit-learn's default ("auto") switches to the primal one once there
    # are more rows than features: on 24,000 petitions the same category model then took 3.4x as
    # long to train, the four models 2.4x (bench/triage_training.py).
    svm_dual: bool | str = True
    # Long letters are cut to their first max_chars characters: the matter is stated up front, and
    # the tail of a few very long letters otherwise dominates segmentation time.
    max_chars: int = 1000
    # Naive-Bayes log-count-ratio scaling per label before the SVM (nbsvm.NBLinearSVC).
    nb_scaling: bool = False


# Topic labels (category, domain): the defaults. Message-kind labels (建言 / 投诉/求助 / 咨询):
# function words matter and a stronger regularisation wins (MSGABench CV: 0.812 → 0.824 macro-F1).
TOPIC_SETTINGS = FeatureSettings()
INTENT_SETTINGS = FeatureSettings(svm_c=0.1, drop_stopwords=False, max_df=1.0)
# The same features with NB scaling and no class weights (MSGABench CV 0.820 → 0.825; nbsvm.py).
NB_INTENT_SETTINGS = FeatureSettings(
    svm_c=0.1, drop_stopwords=False, max_df=1.0, class_weight=None, nb_scaling=True
)
# The plain baseline: character 1-3-gram TF-IDF and a linear SVM, no class weights, no word features.
PLAIN_SETTINGS = FeatureSettings(
    use_words=False, word_ngram_max=1, max_df=1.0, class_weight=None, drop_stopwords=False
)


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
        self.platt: np.ndarray | None = None  # [labels, 2] slope and intercept (sigmoid calibration)
        self.metadata: dict = {}
        self._word_vec: TfidfVectorizer | None = None
        self._char_vec: TfidfVectorizer | None = None
        self._title_vec: TfidfVectorizer | None = None
        self._clf: LinearSVC | None = None
        self._lookups: dict[int, tuple] = {}  # id(vectoriser) → (vectoriser, its ngrams lookup)
        self._columns_of_word: dict[str, tuple[int, ...]] = {}  # evidence: a word's feature columns

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

    def _blocks(self, docs: list[_Doc], fit: bool, cache: dict | None = None) -> sp.csr_matrix:
        """The feature matrix. ``cache`` (fitting only, same ``docs``) shares fitted blocks between
        settings that build the same block: model selection fits the character block once."""
        s = self.settings
        blocks = []
        if s.use_words:
            key = ("w", s.word_ngram_max, s.min_df, s.max_df, s.mask_names, s.drop_stopwords, s.max_chars)
            if fit:
                self._word_vec, matrix = _fitted(cache, key, self._new_word_vec, [d.words for d in docs])
            else:
                matrix = self._transform(self._word_vec, [d.words for d in docs])
            blocks.append(matrix * s.word_weight)
        key = ("c", s.char_ngram, s.min_df, s.max_df, s.max_chars)
        if fit:
            wider = key[:3] + (1.0,) + key[4:] if s.max_df < 1.0 else None
            self._char_vec, matrix = _fitted(cache, key, self._new_char_vec, [d.chars for d in docs], wider)
        else:
            matrix = self._transform(self._char_vec, [d.chars for d in docs])
        blocks.append(matrix * s.char_weight)
        if s.title_weight:
            step = "fit_transform" if fit else "transform"
            if fit:
                self._title_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
            blocks.append(getattr(self._title_vec, step)([d.title_words for d in docs]) * s.title_weight)
        return sp.hstack(blocks, format="csr")

    def _transform(self, vectorizer: TfidfVectorizer, inputs: list) -> sp.csr_matrix:
        """``vectorizer.transform(inputs)``, computed by ngrams where it can be."""
        lookup = self._lookup_of(vectorizer)
        if isinstance(lookup, ngrams.Lookup):
            return ngrams.transform(lookup, inputs)
        if isinstance(lookup, ngrams.TokenLookup):
            return ngrams.transform_tokens(lookup, inputs, pairs=_token_pairs(vectorizer))
        return vectorizer.transform(inputs)

    def _lookup_of(self, vectorizer: TfidfVectorizer) -> ngrams.Lookup | ngrams.TokenLookup | None:
        """The vectoriser's vocabulary as sorted keys (built once per fitted vectoriser)."""
        kept = self._lookups.get(id(vectorizer))
        if kept is None or kept[0] is not vectorizer:
            lookup = None
            if ngrams.supports(vectorizer):
                lookup = ngrams.Lookup(vectorizer)
            elif _token_pairs(vectorizer) is not None and ngrams.supports_tokens(vectorizer):
                lookup = ngrams.TokenLookup(vectorizer)
            kept = self._lookups[id(vectorizer)] = (vectorizer, lookup)
        return kept[1]

    def _new_word_vec(self) -> TfidfVectorizer:
        s = self.settings
        return TfidfVectorizer(
            analyzer=_with_bigrams if s.word_ngram_max >= 2 else _identity,
            sublinear_tf=True,
            min_df=s.min_df,
            max_df=s.max_df,
            dtype=np.float32,
        )

    def _new_char_vec(self) -> TfidfVectorizer:
        s = self.settings
        return TfidfVectorizer(
            analyzer="char",
            ngram_range=s.char_ngram,
            sublinear_tf=True,
            min_df=s.min_df,
            max_df=s.max_df,
            lowercase=False,
            dtype=np.float32,
        )

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
        return model._fit(x, y, started)

    def _fit(self, x: sp.csr_matrix, y: np.ndarray, started: float, oof: np.ndarray | None = None):
        """Fit the SVM on the prepared matrix and calibrate on out-of-fold scores (``oof`` when the
        caller already has them, e.g. from model selection over the same matrix)."""
        with ThreadPoolExecutor(training_threads()) as pool:
            whole = pool.submit(self._svm().fit, x, y)
            if oof is None:
                oof = self._out_of_fold(pool, x, y)
            self._clf = whole.result()
        if oof is not None:
            self.temperature = _fit_temperature(oof, y)
            if self.settings.calibration == "sigmoid":
                self.platt = fit_platt(oof, y)
        self.metadata = {
            "format_version": FORMAT_VERSION,
            "labels": self.labels,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "n_train": int(x.shape[0]),
            "train_seconds": round(time.perf_counter() - started, 2),
            "temperature": self.temperature,
            "calibration": "sigmoid" if self.platt is not None else "temperature",
            "settings": asdict(self.settings),
            "extra_words": self.extra_words,
            "n_features": int(x.shape[1]),
            "versions": _library_versions(),
        }
        return self

    def _svm(self) -> LinearSVC | NBLinearSVC:
        s = self.settings
        if s.nb_scaling:
            return NBLinearSVC(C=s.svm_c, class_weight=s.class_weight, dual=s.svm_dual)
        # A fixed seed: liblinear shuffles its coordinates, and CV figures should not move between runs.
        return LinearSVC(C=s.svm_c, class_weight=s.class_weight, dual=s.svm_dual, random_state=0)

    def _out_of_fold(self, pool: Executor, x: sp.csr_matrix, y: np.ndarray) -> np.ndarray | None:
        """Out-of-fold SVM scores (the vectorisers are shared; only the SVM is refitted per fold);
        None when a label has too few rows to calibrate."""
        folds = min(self.settings.calibration_folds, int(np.bincount(y).min()))
        if folds < 2:
            return None
        split = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y))
        if any(len(np.unique(y[fit_rows])) < len(self.labels) for fit_rows, _ in split):
            return None
        return fold_scores(pool, self._svm, x, y, split)()

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        if self.platt is not None:
            return platt_probabilities(scores, self.platt)
        return _softmax(scores, self.temperature)

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
        probs = self.probabilities(scores)
        coef = self._clf.coef_
        if coef.shape[0] == 1:  # binary: one weight row scores the second label
            coef = np.vstack([-coef[0], coef[0]])
        order = np.argsort(-probs, axis=1, kind="stable")
        evidence_words = self._evidence(x, order[:, 0], coef, docs)
        out = []
        for i in range(len(docs)):
            top = int(order[i, 0])
            out.append(
                Prediction(
                    label=self.labels[top],
                    confidence=float(probs[i, top]),
                    alternatives=[(self.labels[j], float(probs[i, j])) for j in order[i, :3]],
                    evidence=evidence_words[i],
                )
            )
        return out

    def _evidence(
        self, x: sp.csr_matrix, tops: np.ndarray, coef: np.ndarray, docs: list[_Doc]
    ) -> list[list[str]]:
        """For each row, up to ``EVIDENCE_LIMIT`` whole jieba words of its text that pushed hardest
        toward its predicted label (``tops``), strongest first, ties in the order of the text.

        A word's weight is the sum, over its own word feature and the character n-grams (two or more
        characters) inside it, of feature value × weight of the label; only words that read as words
        count (``evidence.is_meaningful``), so the list never shows function words, punctuation,
        numbers or n-grams cut across two words. Computed for the whole batch at once: (row, word)
        pairs expand to (row, column) cells, which are found in ``x`` by binary search."""
        batch_words: dict[str, int] = {}
        pair_row, pair_word = [], []
        for i, doc in enumerate(docs):
            for word in dict.fromkeys(doc.words):
                pair_row.append(i)
                pair_word.append(batch_words.setdefault(word, len(batch_words)))
        if not pair_row:
            return [[] for _ in docs]
        columns_of = self._evidence_columns(list(batch_words))
        sizes = np.fromiter(map(len, columns_of), dtype=np.int64, count=len(columns_of))
        starts = np.concatenate([[0], np.cumsum(sizes)])
        flat_columns = np.fromiter(
            (c for cols in columns_of for c in cols), dtype=np.int64, count=int(starts[-1])
        )
        pair_row, pair_word = np.asarray(pair_row), np.asarray(pair_word)
        per_pair = sizes[pair_word]
        cell_pair = np.repeat(np.arange(len(pair_row)), per_pair)
        first_cell = np.cumsum(per_pair) - per_pair
        place_in_word = np.arange(len(cell_pair)) - first_cell[cell_pair]
        cell_column = flat_columns[starts[pair_word[cell_pair]] + place_in_word]
        cell_row = pair_row[cell_pair]
        width = x.shape[1]
        x = x.tocsr()
        x.sort_indices()
        stored = np.repeat(np.arange(x.shape[0], dtype=np.int64), np.diff(x.indptr)) * width + x.indices
        wanted = cell_row * width + cell_column
        at = np.minimum(np.searchsorted(stored, wanted), max(len(stored) - 1, 0))
        present = stored[at] == wanted if len(stored) else np.zeros(len(wanted), bool)
        value = np.where(present, x.data[at] if len(stored) else 0.0, 0.0).astype(np.float64)
        weight = coef[tops[cell_row], cell_column].astype(np.float64)
        score = np.bincount(cell_pair, weights=value * weight, minlength=len(pair_row))
        keep = np.flatnonzero((score > 0) & (per_pair > 0))
        keep = keep[np.lexsort((keep, -score[keep], pair_row[keep]))]
        words = list(batch_words)
        out: list[list[str]] = [[] for _ in docs]
        for pair in keep.tolist():
            chosen = out[pair_row[pair]]
            if len(chosen) < EVIDENCE_LIMIT:
                chosen.append(words[pair_word[pair]])
        return out

    def _evidence_columns(self, words: list[str]) -> list[tuple[int, ...]]:
        """The feature columns of each word (its own and its n-grams of two or more characters);
        empty for a word that may not be shown. Kept per word: the same words recur in every text."""
        # A web process predicts in several threads: the cache is replaced when full, never cleared
        # in place, so the dict read here keeps every word it had.
        known = self._columns_of_word
        missing = [w for w in dict.fromkeys(words) if w not in known]
        found = dict(zip(missing, self._columns_of_new_words(missing), strict=True))
        if found:
            kept = known
            if len(known) + len(found) >= WORD_CACHE_SIZE:
                kept = self._columns_of_word = {}
            kept.update(found)
        return [found[w] if w in found else known[w] for w in words]

    def _columns_of_new_words(self, words: list[str]) -> list[tuple[int, ...]]:
        word_columns = self._word_vec.vocabulary_ if self.settings.use_words else {}
        offset = len(word_columns)
        shown = [w for w in words if evidence.is_meaningful(w)]
        found: dict[str, list[int]] = {w: ([word_columns[w]] if w in word_columns else []) for w in shown}
        longest = self.settings.char_ngram[1]
        if shown and longest >= 2:
            if ngrams.supports(self._char_vec):
                lookup = self._lookup_of(self._char_vec)
                rows, columns = ngrams.known_columns(lookup, shown, 2, longest)
                for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
                    found[shown[row]].append(offset + column)
            else:
                vocabulary = self._char_vec.vocabulary_
                for word in shown:
                    for n in range(2, min(longest, len(word)) + 1):
                        found[word] += [offset + vocabulary[g] for g in _grams(word, n) if g in vocabulary]
        return [tuple(found.get(w, ())) for w in words]

    # ----- persistence ----------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {
            "settings": asdict(self.settings),
            "extra_words": self.extra_words,
            "labels": self.labels,
            "temperature": self.temperature,
            "platt": self.platt,
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
        known = {f.name for f in fields(FeatureSettings)}
        model = cls(
            FeatureSettings(**{k: v for k, v in settings.items() if k in known}), state["extra_words"]
        )
        segment.add_user_words(model.extra_words)
        model.labels = state["labels"]
        model.temperature = state["temperature"]
        model.platt = state.get("platt")
        model._word_vec = state["word_vec"]
        model._char_vec = state["char_vec"]
        model._title_vec = state["title_vec"]
        model._clf = state["clf"]
        for vectorizer in (model._word_vec, model._char_vec):  # ready: the first prediction pays no more
            if vectorizer is not None:
                model._lookup_of(vectorizer)
        meta_path = directory / METADATA_FILE
        model.metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return model


_FORK_MODEL: TextClassifier | None = None


def _predict_chunk(chunk):
    return _FORK_MODEL._predict_serial(*chunk)


def training_threads() -> int:
    """Threads for independent SVM fits. liblinear releases the GIL, so the folds of a cross-validation
    fit side by side on the machine's cores: the same CPU time, less time waited."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def fold_scores(pool: Executor, new_svm, x: sp.csr_matrix, y: np.ndarray, split: list):
    """Start one fit per (fit rows, held rows) of ``split`` in ``pool``, of an SVM from ``new_svm()``;
    the function returned waits for them and gives the out-of-fold scores (each row scored by the fit
    that did not see it)."""

    def held_scores(fit_rows, held_rows):
        return _scores(new_svm().fit(x[fit_rows], y[fit_rows]), x[held_rows])

    futures = [pool.submit(held_scores, fit_rows, held_rows) for fit_rows, held_rows in split]

    def out_of_fold() -> np.ndarray:
        parts = [future.result() for future in futures]
        oof = np.zeros((x.shape[0], parts[0].shape[1]), dtype=np.float64)
        for (_, held_rows), part in zip(split, parts, strict=True):
            oof[held_rows] = part
        return oof

    return out_of_fold


def _scores(clf: LinearSVC, x) -> np.ndarray:
    scores = clf.decision_function(x)
    if scores.ndim == 1:  # binary: sklearn returns the positive-class score only
        scores = np.column_stack([-scores, scores])
    return scores


def _fitted(cache: dict | None, key: tuple, new, inputs, wider: tuple | None = None):
    """(fitted vectoriser, matrix of ``inputs``), from ``cache`` when a block with ``key`` is there,
    or cut from the cached block ``wider`` (the same vectoriser with max_df 1.0) when that is there."""
    if cache is not None and key in cache:
        return cache[key]
    vectorizer = new()
    if cache is not None and wider is not None and wider in cache:
        result = _narrowed(*cache[wider], vectorizer)
    else:
        result = (vectorizer, _fit_transform(vectorizer, inputs))
    if cache is not None:
        cache[key] = result
    return result


def _fit_transform(vectorizer: TfidfVectorizer, inputs: list) -> sp.csr_matrix:
    """``vectorizer.fit_transform(inputs)``, computed by ngrams where it can be."""
    if ngrams.supports(vectorizer):
        return ngrams.fit_transform(vectorizer, inputs)
    pairs = _token_pairs(vectorizer)
    if pairs is not None and ngrams.supports_tokens(vectorizer):
        return ngrams.fit_transform_tokens(vectorizer, inputs, pairs=pairs)
    return vectorizer.fit_transform(inputs)


def _token_pairs(vectorizer: TfidfVectorizer) -> bool | None:
    """Whether the word vectoriser's analyzer adds adjacent pairs; None for any other analyzer."""
    return {_with_bigrams: True, _identity: False}.get(vectorizer.analyzer)


def _narrowed(full: TfidfVectorizer, matrix: sp.csr_matrix, vectorizer: TfidfVectorizer):
    """``vectorizer`` (the settings of ``full`` but a max_df below 1.0) fitted without a second pass
    over the texts: the same terms less those in more than max_df of the rows, the same IDF (it
    depends only on a term's document count), rows normalised again. Model selection fits the
    character block once for the plain model and the topic model this way."""
    counts = np.bincount(matrix.indices, minlength=matrix.shape[1])
    keep = np.flatnonzero(counts <= vectorizer.max_df * matrix.shape[0])
    terms = sorted(full.vocabulary_, key=full.vocabulary_.get)
    vectorizer.vocabulary_ = {terms[c]: i for i, c in enumerate(keep)}
    vectorizer.fixed_vocabulary_ = False
    vectorizer.idf_ = full.idf_[keep]
    narrowed = normalize(matrix[:, keep], copy=False).astype(matrix.dtype)
    return vectorizer, narrowed.tocsr()


def _grams(word: str, n: int) -> list[str]:
    return [word[i : i + n] for i in range(len(word) - n + 1)]


def fit_platt(scores: np.ndarray, y: np.ndarray, c: float = 1e4) -> np.ndarray:
    """One-vs-rest Platt scaling: per label, slope and intercept of a logistic curve on its score.

    The logistic regression of scikit-learn (L2 penalty 1 / ``c`` on the slope) solved by Newton's
    method on the two parameters, all labels at once: model selection fits one curve per label,
    fold and candidate (84 for seven labels), which took LogisticRegression 12 CPU seconds."""
    k = scores.shape[1]
    target = (y[:, None] == np.arange(k)[None, :]).astype(np.float64)
    s = scores.astype(np.float64)
    slope, intercept = np.ones(k), np.zeros(k)

    def loss(a, b):
        z = s * a + b
        return (np.logaddexp(0.0, z) - target * z).sum(axis=0) + 0.5 * a * a / c

    current = loss(slope, intercept)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(s * slope + intercept)))
        r = p - target
        w = p * (1.0 - p)
        ga, gb = (r * s).sum(axis=0) + slope / c, r.sum(axis=0)
        haa, hab, hbb = (w * s * s).sum(axis=0) + 1.0 / c, (w * s).sum(axis=0), w.sum(axis=0) + 1e-12
        det = haa * hbb - hab * hab
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        step = np.ones(k)
        for _ in range(30):  # halve the step where it would not lower the loss
            trial = loss(slope - step * da, intercept - step * db)
            worse = trial > current + 1e-12
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        slope, intercept, current = slope - step * da, intercept - step * db, trial
        if np.max(np.abs(step * da)) < 1e-8 and np.max(np.abs(step * db)) < 1e-8:
            break
    return np.column_stack([slope, intercept])


def platt_probabilities(scores: np.ndarray, platt: np.ndarray) -> np.ndarray:
    p = 1.0 / (1.0 + np.exp(-(scores * platt[:, 0] + platt[:, 1])))
    return p / np.clip(p.sum(axis=1, keepdims=True), 1e-12, None)


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
