"""Chinese text normalisation and word segmentation shared by the triage models and search.

Segmentation is jieba's algorithm and dictionary through rjieba, the Python binding of the Rust port
jieba-rs: it gives the same words as the Python jieba (``HMM=False``) about 18 times faster, which is
what lets triage keep pace with the window and classification exceed 1,000 documents a second.
The dictionary ships inside the wheel (no network). User words (place and estate names) are added to
the process-wide default tokenizer, so every model in the process sees them; that is harmless because
they only ever keep names whole.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable

import rjieba

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


def ensure_loaded() -> None:
    """Build the segmenter's prefix dictionary now (it is otherwise built on first use)."""
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if not _initialised:
            rjieba.cut("初始化", False)
            _initialised = True


def cut(text: str) -> list[str]:
    """jieba words of ``text`` (exact mode, no HMM new-word discovery), whitespace included."""
    return rjieba.cut(text, False)


def cut_for_search(text: str) -> list[str]:
    """jieba's search mode: the words plus the dictionary words inside long ones."""
    return rjieba.cut_for_search(text, False)


def add_user_words(words: Iterable[str]) -> None:
    """Teach the segmenter extra words (place names, estates) so they stay whole tokens."""
    for word in words:
        word = normalize(word).strip()
        if len(word) >= 2 and word not in _user_words:
            rjieba.add_word(word, None, None)
            _user_words.add(word)
            _raw_tokens_cached.cache_clear()


def user_words() -> frozenset[str]:
    """The words taught to the process-wide segmenter so far."""
    return frozenset(_user_words)


class Segmenter:
    """A segmenter of its own, with the user words it was given and no others: what it cuts does not
    depend on the words other models have taught this process since (the similar-matter index
    encodes in the worker and in each web process and must cut a text the same way in all of them).
    Pickles as its word list; the dictionary (24 MB, 0.08 s) is built on first use."""

    def __init__(self, words: Iterable[str] = ()):
        self.__setstate__({"words": tuple(sorted({normalize(w).strip() for w in words} - {""}))})

    def __getstate__(self) -> dict:
        return {"words": self.words}

    def __setstate__(self, state: dict) -> None:
        self.words = state["words"]
        self._jieba = None
        self._lock = threading.Lock()

    def _cutter(self):
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    jieba = rjieba.Jieba()
                    for word in self.words:
                        if len(word) >= 2:
                            jieba.add_word(word, None, None)
                    self._jieba = jieba
        return self._jieba

    def raw_tokens(self, text: str) -> list[str]:
        """As :func:`raw_tokens`, with this segmenter's words."""
        return _tokens(text, lambda t: self._cutter().cut(t, False))


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
    """Segmenter tokens of normalised text (or its own tokens if pre-segmented), whitespace dropped."""
    return list(_raw_tokens_cached(text))


@functools.lru_cache(maxsize=512)
def _raw_tokens_cached(text: str) -> tuple[str, ...]:
    # Triage segments one petition text for several models in a row: the cache saves the repeats.
    return tuple(_tokens(text, cut))


def _tokens(text: str, cutter) -> list[str]:
    """Tokens of normalised ``text`` by ``cutter`` (jieba exact mode without HMM: new-word discovery
    costs speed and gave no accuracy in cross-validation), or its own if pre-segmented."""
    text = normalize(text)
    if is_presegmented(text):
        return text.split()
    return [t for t in cutter(text) if not t.isspace()]


# Token → what content_tokens keeps of it (None = dropped), one table per (mask, drop) setting:
# the same few thousand tokens recur in every text, so each is classified once per process.
_TOKEN_TABLES: dict[tuple[bool, bool], dict[str, str | None]] = {}
_TOKEN_TABLE_LIMIT = 200_000


def _content_form(token: str, mask_names: bool, drop_stopwords: bool) -> str | None:
    if _NOT_WORD.match(token) and not token.startswith("*"):
        return None
    if (drop_stopwords and token in STOPWORDS) or _SINGLE_DIGIT.match(token):
        return None
    if mask_names and _MASKED_TOKEN.match(token):
        return MASK_TOKEN
    return token


def content_tokens(
    tokens: Iterable[str], *, mask_names: bool = True, drop_stopwords: bool = True
) -> list[str]:
    """Drop punctuation, stopwords and lone digits; map masked names (a3, ****) to one token."""
    table = _TOKEN_TABLES.setdefault((mask_names, drop_stopwords), {})
    if len(table) > _TOKEN_TABLE_LIMIT:  # bounded: free text brings endless one-off tokens
        table.clear()
    out: list[str] = []
    for token in tokens:
        try:
            form = table[token]
        except KeyError:
            form = table[token] = _content_form(token, mask_names, drop_stopwords)
        if form is None:
            continue
        if form is MASK_TOKEN and out and out[-1] is MASK_TOKEN:  # "****" arrives as four "*" tokens
            continue
        out.append(form)
    return out


def words(text: str, *, mask_names: bool = True, drop_stopwords: bool = True) -> list[str]:
    """Content words of ``text``: segmentation + :func:`content_tokens`."""
    return content_tokens(raw_tokens(text), mask_names=mask_names, drop_stopwords=drop_stopwords)


def char_text(text: str) -> str:
    """Normalised text with all whitespace removed, for character n-grams."""
    return _SPACES.sub("", normalize(text))
