"""ngrams: the numpy character and word n-gram TF-IDF equals scikit-learn's, and the batched evidence equals
the word-by-word definition."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from xinfang.triage import evidence, ngrams
from xinfang.triage.segment import words
from xinfang.triage.textmodel import EVIDENCE_LIMIT, TextClassifier, _identity, _with_bigrams

from .test_textmodel import _corpus

TEXTS = [
    "小区电梯长期故障无人维修，物业不作为",
    "",
    "停",
    "公司拖欠工资  三个月\n\n还不缴纳社保",  # whitespace runs fold to one space, as scikit-learn does
    "生僻字𠀋𡈽在句中，emoji 😀 也算一个字",  # outside the Basic Multilingual Plane
    "Ａ市ｂ区ab AB",  # no lower-casing, no width folding: the caller normalises
    "停水停水停水停水",  # repeated n-grams are counted
]


def _vectorizer(**options) -> TfidfVectorizer:
    settings = dict(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False, dtype=np.float32)
    return TfidfVectorizer(**(settings | options))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"min_df": 2},
        {"min_df": 2, "max_df": 0.5},
        {"ngram_range": (2, 3)},
        {"ngram_range": (1, 2), "sublinear_tf": False},
        {"min_df": 0.2, "smooth_idf": False},
    ],
)
def test_fit_and_transform_equal_scikit_learn(options):
    texts = TEXTS + _corpus(n_per_label=8)[0]
    ours, theirs = _vectorizer(**options), _vectorizer(**options)
    assert ngrams.supports(ours)
    matrix = ngrams.fit_transform(ours, texts)
    expected = theirs.fit_transform(texts)
    assert ours.vocabulary_ == theirs.vocabulary_
    assert np.allclose(ours.idf_, theirs.idf_)
    assert matrix.shape == expected.shape
    assert abs(matrix - expected).max() < 1e-6
    unseen = ["电梯故障，物业说没钱修", "完全不同的内容", ""]
    lookup = ngrams.Lookup(theirs)
    assert abs(ngrams.transform(lookup, unseen) - theirs.transform(unseen)).max() < 1e-6
    # scikit-learn's own transform works on a vectoriser fitted here (saved models stay plain).
    assert abs(ours.transform(unseen) - theirs.transform(unseen)).max() < 1e-6


def test_settings_it_cannot_reproduce_are_left_to_scikit_learn():
    assert not ngrams.supports(_vectorizer(ngram_range=(1, 4)))
    assert not ngrams.supports(_vectorizer(lowercase=True))
    assert not ngrams.supports(_vectorizer(analyzer="char_wb"))
    assert not ngrams.supports(_vectorizer(max_features=100))


def test_pruning_everything_is_refused_as_scikit_learn_refuses_it():
    with pytest.raises(ValueError):
        ngrams.fit_transform(_vectorizer(min_df=5), ["一二三", "四五六"])


@pytest.mark.parametrize("analyzer", [_with_bigrams, _identity])
@pytest.mark.parametrize(
    "options", [{}, {"min_df": 2}, {"min_df": 2, "max_df": 0.5}, {"sublinear_tf": False}]
)
def test_word_fit_and_transform_equal_scikit_learn(analyzer, options):
    docs = [words(t) for t in TEXTS + _corpus(n_per_label=8)[0]] + [[], ["停水"], ["停水", "停水", "停电"]]
    settings = dict(analyzer=analyzer, sublinear_tf=True, dtype=np.float32) | options
    ours, theirs = TfidfVectorizer(**settings), TfidfVectorizer(**settings)
    assert ngrams.supports_tokens(ours)
    pairs = analyzer is _with_bigrams
    matrix = ngrams.fit_transform_tokens(ours, docs, pairs=pairs)
    expected = theirs.fit_transform(docs)
    assert ours.vocabulary_ == theirs.vocabulary_
    assert np.allclose(ours.idf_, theirs.idf_)
    assert matrix.shape == expected.shape
    assert abs(matrix - expected).max() < 1e-6
    unseen = [words("电梯故障，物业说没钱修，公司拖欠工资"), ["没见过的词", "停水"], []]
    lookup = ngrams.TokenLookup(theirs)
    assert abs(ngrams.transform_tokens(lookup, unseen, pairs=pairs) - theirs.transform(unseen)).max() < 1e-6
    assert abs(ours.transform(unseen) - theirs.transform(unseen)).max() < 1e-6


def _evidence_by_definition(model: TextClassifier, text: str, label: str) -> list[str]:
    """The evidence words of one text, word by word, straight from the definition."""
    (doc,) = model._docs([text], None)
    x = model._blocks([doc], fit=False).toarray()[0]
    weights = model._clf.coef_[model.labels.index(label)]
    words = model._word_vec.vocabulary_
    chars = {g: len(words) + c for g, c in model._char_vec.vocabulary_.items() if len(g) >= 2}
    scores = {}
    for word in dict.fromkeys(doc.words):
        if not evidence.is_meaningful(word):
            continue
        columns = [words[word]] if word in words else []
        for n in range(2, 4):
            columns += [chars[word[i : i + n]] for i in range(len(word) - n + 1) if word[i : i + n] in chars]
        if columns:
            scores[word] = sum(float(x[c]) * float(weights[c]) for c in columns)
    return sorted((w for w, v in scores.items() if v > 0), key=lambda w: -scores[w])[:EVIDENCE_LIMIT]


def test_batched_evidence_equals_the_definition_for_every_text_of_a_batch():
    texts, labels = _corpus()
    model = TextClassifier.train(texts, labels, extra_words=["东湖区"])
    batch = [
        "小区电梯长期故障无人维修，物业不作为，开发商延期交房",
        "公司拖欠工资三个月，单位不缴纳社保，请尽快处理",
        "。。。",
        "学校违规收取补课费，老师体罚学生，幼儿园收费太高，学校食堂卫生差",
        "",
    ]
    predictions = model.predict(batch)
    assert any(p.evidence for p in predictions)
    for text, prediction in zip(batch, predictions, strict=True):
        assert prediction.evidence == _evidence_by_definition(model, text, prediction.label)


def test_evidence_is_the_same_when_the_word_cache_fills_up(monkeypatch):
    from xinfang.triage import textmodel

    texts, labels = _corpus()
    model = TextClassifier.train(texts, labels)
    batch = ["小区电梯长期故障无人维修，物业不作为", "公司拖欠工资三个月，单位不缴纳社保"]
    expected = [p.evidence for p in model.predict(batch)]
    monkeypatch.setattr(textmodel, "WORD_CACHE_SIZE", 12)  # full after a text or two: replaced often
    fresh = TextClassifier.train(texts, labels)
    for _ in range(3):  # each batch mixes words already kept with new ones
        assert [p.evidence for p in fresh.predict(batch[:1])] == expected[:1]
        assert [p.evidence for p in fresh.predict(batch)] == expected
        assert [p.evidence for p in fresh.predict(batch[::-1])] == expected[::-1]
