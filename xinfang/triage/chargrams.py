"""Character n-gram TF-IDF in numpy: the same vocabulary, IDF and matrix as scikit-learn's
``TfidfVectorizer(analyzer="char")``, without a Python loop over the n-grams.

scikit-learn builds every n-gram as a Python string and looks it up in a dict, raising and catching
a KeyError for each n-gram that is not in the vocabulary. For petitions of a few hundred characters
that was half the time of a prediction and a quarter of training. Here a batch of texts becomes one
array of code points, and an n-gram (n ≤ 3) becomes one 63-bit integer: 21 bits per character, the
first character highest, an absent character 0. Integers then sort as the strings do
("a" < "ab" < "b"), so the vocabulary's columns keep scikit-learn's order, and lookups are a
``searchsorted`` on the sorted keys.

The fitted object stays a plain ``TfidfVectorizer`` (``vocabulary_`` and ``idf_`` set through its
public attributes): saved models are unchanged, and scikit-learn's own ``transform`` gives the same
matrix (tests/test_chargrams.py). Vectorisers this module cannot reproduce (n > 3, other analyzers
or options) are left to scikit-learn.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

BITS = 21  # every code point fits in 21 bits (U+10FFFF); +1 keeps 0 for "no character"
WIDEST = 3  # 3 × 21 = 63 bits: one signed 64-bit integer
_MASK = (1 << BITS) - 1
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own whitespace folding for char n-grams


def supports(vectorizer: TfidfVectorizer) -> bool:
    """True when this module computes exactly what ``vectorizer`` would."""
    p = vectorizer.get_params()
    return (
        p["analyzer"] == "char"
        and p["ngram_range"][1] <= WIDEST
        and p["ngram_range"][0] >= 1
        and not p["lowercase"]
        and p["strip_accents"] is None
        and p["preprocessor"] is None
        and p["vocabulary"] is None
        and p["max_features"] is None
        and not p["binary"]
        and p["use_idf"]
        and p["norm"] == "l2"
    )


def _keys(texts: list[str], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, key) of every n-gram, ``low`` ≤ n ≤ ``high``, of every text; no n-gram spans two texts."""
    texts = [_WHITE_SPACES.sub(" ", t) for t in texts]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.int64) + 1
    rows_of_char = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    rows, keys = [], []
    for n in range(low, high + 1):
        count = len(codes) - n + 1
        if count <= 0:
            continue
        key = np.zeros(count, dtype=np.int64)
        for k in range(n):
            key |= codes[k : k + count] << (BITS * (WIDEST - 1 - k))
        inside = rows_of_char[:count] == rows_of_char[n - 1 : n - 1 + count]
        rows.append(rows_of_char[:count][inside])
        keys.append(key[inside])
    if not keys:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(keys)


def _vocabulary(keys: np.ndarray) -> dict[str, int]:
    """{n-gram: column} for sorted ``keys`` (column = position), decoded a length at a time."""
    codes = np.stack([(keys >> (BITS * (WIDEST - 1 - k))) & _MASK for k in range(WIDEST)], axis=1)
    lengths = (codes > 0).sum(axis=1)
    vocabulary: dict[str, int] = {}
    for length in range(1, WIDEST + 1):
        columns = np.flatnonzero(lengths == length)
        chars = (codes[columns, :length] - 1).astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
        terms = [chars[i : i + length] for i in range(0, len(chars), length)]
        vocabulary.update(zip(terms, columns.tolist(), strict=True))
    return vocabulary


def _keys_of_terms(terms: list[str]) -> np.ndarray:
    """The key of each n-gram in ``terms`` (any lengths ≤ ``WIDEST``), encoded a length at a time."""
    keys = np.zeros(len(terms), dtype=np.int64)
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    for length in range(1, WIDEST + 1):
        at = np.flatnonzero(lengths == length)
        chosen = "".join(terms[i] for i in at.tolist()).encode("utf-32-le", "surrogatepass")
        codes = np.frombuffer(chosen, dtype=np.uint32).astype(np.int64).reshape(-1, length) + 1
        for k in range(length):
            keys[at] |= codes[:, k] << (BITS * (WIDEST - 1 - k))
    return keys


def _weighted(counts: sp.csr_matrix, vectorizer: TfidfVectorizer) -> sp.csr_matrix:
    """Counts → TF-IDF rows as ``TfidfTransformer`` makes them (sublinear tf, idf, l2 norm)."""
    counts.sort_indices()
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= vectorizer.idf_.astype(counts.dtype)[counts.indices]
    return normalize(counts, norm="l2", copy=False)


def fit_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """Fit ``vectorizer`` (vocabulary and IDF) on ``texts`` and return their TF-IDF matrix."""
    low, high = vectorizer.ngram_range
    rows, keys = _keys(texts, low, high)
    unique_keys, columns = np.unique(keys, return_inverse=True)
    dtype = vectorizer.dtype
    counts = sp.csr_matrix(
        (np.ones(len(keys), dtype=dtype), (rows, columns.ravel())), shape=(len(texts), len(unique_keys))
    )
    counts.sum_duplicates()
    frequency = np.bincount(counts.indices, minlength=len(unique_keys))
    n = len(texts)
    high_df = vectorizer.max_df if isinstance(vectorizer.max_df, int) else vectorizer.max_df * n
    low_df = vectorizer.min_df if isinstance(vectorizer.min_df, int) else vectorizer.min_df * n
    kept = np.flatnonzero((frequency <= high_df) & (frequency >= low_df))
    if not len(kept):
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    counts = counts[:, kept].tocsr()
    vectorizer.vocabulary_ = _vocabulary(unique_keys[kept])
    vectorizer.fixed_vocabulary_ = False
    smooth = int(vectorizer.smooth_idf)
    vectorizer.idf_ = np.log((n + smooth) / (frequency[kept] + smooth)) + 1.0
    return _weighted(counts, vectorizer)


class Lookup:
    """A fitted vectoriser's vocabulary as sorted keys, for :func:`transform` (built once per model)."""

    def __init__(self, vectorizer: TfidfVectorizer):
        terms = vectorizer.vocabulary_
        keys = _keys_of_terms(list(terms))
        columns = np.fromiter(terms.values(), dtype=np.int64, count=len(terms))
        order = np.argsort(keys)
        self.keys, self.columns = keys[order], columns[order]
        self.vectorizer = vectorizer


def known_columns(lookup: Lookup, texts: list[str], low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every n-gram of ``texts`` (``low`` ≤ n ≤ ``high``) that is in the vocabulary,
    once per occurrence."""
    rows, keys = _keys(texts, low, high)
    if not len(lookup.keys):
        return rows[:0], rows[:0]
    at = np.searchsorted(lookup.keys, keys)
    at[at == len(lookup.keys)] = 0
    known = lookup.keys[at] == keys
    return rows[known], lookup.columns[at[known]]


def transform(lookup: Lookup, texts: list[str]) -> sp.csr_matrix:
    """TF-IDF rows of ``texts`` under the fitted vocabulary (n-grams outside it are ignored)."""
    vectorizer = lookup.vectorizer
    rows, columns = known_columns(lookup, texts, *vectorizer.ngram_range)
    counts = sp.csr_matrix(
        (np.ones(len(rows), dtype=vectorizer.dtype), (rows, columns)),
        shape=(len(texts), len(vectorizer.vocabulary_)),
    )
    counts.sum_duplicates()
    return _weighted(counts, vectorizer)
