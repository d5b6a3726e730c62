"""Chinese text normalisation and word segmentation shared by the triage models (pure Python).

jieba is initialised once per process, quietly, from the dictionary it ships (no network).
User words (place and estate names) are added to jieba's process-wide default tokenizer, so every
model in the process sees them; that is harmless because they only ever make segmentation finer-grained.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

from xinfang.triage.stopwords import STOPWORDS

_init_lock = threading.Lock()
_initialised = False
_user_words: set[str] = set()

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"^[\W_]+$")
_SINGLE_DIGIT = re.compile(r"^\d$")
# Names masked by the data publisher or by our own anonymiser: A市, A3区, B12县, ****.
_MASKED_TOKEN = re.compile(r"^(?:[a-z]\d{0,3}|\*+)$")
MASK_TOKEN = "<名>"


def ensure_jieba() -> None:
    """Load jieba's bundled dictionary once, without its log chatter."""
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if not _initialised:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _initialised = True


def add_user_words(words: Iterable[str]) -> None:
    """Teach jieba extra words (place names, estates) so they stay whole tokens."""
    ensure_jieba()
    for word in words:
        word = normalize(word).strip()
        if len(word) >= 2 and word not in _user_words:
            jieba.add_word(word, freq=None)
            _user_words.add(word)
            _raw_tokens_cached.cache_clear()


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case; Chinese characters are unchanged."""
    return unicodedata.normalize("NFKC", text or "").lower()


def is_presegmented(text: str) -> bool:
    """True for space-separated token lists such as ``extra_segmented.csv`` rows.

    Raw Chinese prose has few spaces and long unbroken runs; segmented text has short tokens.
    """
    parts = text.split()
    if len(parts) < 4:
        return False
    return sum(len(p) for p in parts) / len(parts) <= 3.5


def raw_tokens(text: str) -> list[str]:
    """jieba tokens of normalised text (or its own tokens if pre-segmented), whitespace dropped."""
    return list(_raw_tokens_cached(text))


@functools.lru_cache(maxsize=512)
def _raw_tokens_cached(text: str) -> tuple[str, ...]:
    # Triage segments one petition text for several models in a row: the cache saves the repeats.
    text = normalize(text)
    if is_presegmented(text):
        return tuple(text.split())
    ensure_jieba()
    # HMM new-word discovery costs ~25% speed and gave no accuracy in cross-validation.
    return tuple(t for t in jieba.lcut(text, HMM=False) if not t.isspace())


def content_tokens(
    tokens: Iterable[str], *, mask_names: bool = True, drop_stopwords: bool = True
) -> list[str]:
    """Drop punctuation, stopwords and lone digits; map masked names (a3, ****) to one token."""
    out = []
    for token in tokens:
        if _NOT_WORD.match(token) and not token.startswith("*"):
            continue
        if (drop_stopwords and token in STOPWORDS) or _SINGLE_DIGIT.match(token):
            continue
        if mask_names and _MASKED_TOKEN.match(token):
            if out and out[-1] == MASK_TOKEN:  # "****" arrives as four "*" tokens
                continue
            token = MASK_TOKEN
        out.append(token)
    return out


def words(text: str, *, mask_names: bool = True, drop_stopwords: bool = True) -> list[str]:
    """Content words of ``text``: segmentation + :func:`content_tokens`."""
    return content_tokens(raw_tokens(text), mask_names=mask_names, drop_stopwords=drop_stopwords)


def char_text(text: str) -> str:
    """Normalised text with all whitespace removed, for character n-grams."""
    return _SPACES.sub("", normalize(text))
