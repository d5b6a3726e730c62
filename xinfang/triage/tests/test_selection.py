"""Pipeline selection by cross-validation (selection.py) and readable evidence (evidence.py)."""

import random

from xinfang.triage import evidence
from xinfang.triage.selection import CANDIDATES, train_selected
from xinfang.triage.textmodel import TextClassifier

_SYLLABLES = list("东西南北中华新兴民和平安康宁泰福瑞祥金银丰盛荣昌明光辉阳春秋湖山江河桥园林松柏梅竹兰菊")
_TOPIC_WORDS = (
    "物业 电梯 停车 工资 学校 医院 道路 噪音 拆迁 补偿 社保 房屋 维修 污水 垃圾 公交 路灯 绿化".split()
)


def _codes_corpus(n=300, seed=0):
    """The label is carried by two-character codes that jieba does not keep as words, among topic
    words shared by every label: the presence of a code decides, which NB scaling picks up."""
    rng = random.Random(seed)
    labels = ("甲类", "乙类", "丙类")
    codes = {label: ["".join(rng.sample(_SYLLABLES, 2)) for _ in range(30)] for label in labels}
    texts, out = [], []
    for i in range(n):
        label = labels[i % 3]
        parts = rng.sample(_TOPIC_WORDS, 6) + [rng.choice(codes[label])]
        rng.shuffle(parts)
        texts.append("的".join(parts) + "吗。")
        out.append(label)
    return texts, out


def _exclamations_corpus(n=300, seed=0):
    """The label is how many times "！" occurs (once, twice, three times) among shared topic words.

    Only the plain character model reads it well: every text has at least one "！", so its
    presence ratio is the same for every label (NB scaling ignores it) and it is in more than half
    the texts (max_df 0.5 drops it); word features drop punctuation and add noise; C 0.1 smooths
    the count away."""
    rng = random.Random(seed)
    labels = ("甲类", "乙类", "丙类")
    texts, out = [], []
    for i in range(n):
        parts = rng.sample(_TOPIC_WORDS, 8)
        for _ in range(i % 3 + 1):
            parts.insert(rng.randrange(len(parts) + 1), "！")
        texts.append("的".join(parts) + "。")
        out.append(labels[i % 3])
    return texts, out


def test_selection_chooses_the_plain_model_where_it_wins_and_records_why(tmp_path):
    texts, labels = _exclamations_corpus()
    model = train_selected(texts, labels, folds=3)
    selection = model.metadata["selection"]
    scores = {name: figures["macro_f1_mean"] for name, figures in selection["candidates"].items()}
    assert set(scores) >= {name for name, _ in CANDIDATES}
    # The plain character model, with or without per-label calibration, beats every other pipeline.
    assert selection["chosen"] in ("plain_chars", "plain_chars+sigmoid")
    assert selection["best_by_mean"] in ("plain_chars", "plain_chars+sigmoid")
    assert scores[selection["best_by_mean"]] == max(scores.values())
    for name, _ in CANDIDATES[1:]:
        assert scores["plain_chars"] > scores[name], name
    assert selection["folds"] == 3 and len(selection["candidates"]["plain_chars"]["per_fold"]) == 3
    assert model.settings.use_words is False and model.metadata["settings"]["use_words"] is False
    # The choice travels with the model.
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    assert loaded.metadata["selection"]["chosen"] == selection["chosen"]
    assert loaded.predict(texts[:5]) == model.predict(texts[:5])


def test_selection_chooses_nb_scaling_where_rare_codes_decide(tmp_path):
    texts, labels = _codes_corpus()
    model = train_selected(texts, labels, folds=3)
    selection = model.metadata["selection"]
    assert selection["chosen"].startswith("words_chars_nb")
    assert model.settings.nb_scaling is True
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    assert loaded.settings.nb_scaling is True
    assert loaded.predict(texts[:5]) == model.predict(texts[:5])


def test_selection_chooses_word_features_where_they_win():
    # Topic words decide the label here; characters of the shared filler blur them less for words.
    rng = random.Random(1)
    topics = {"城建": ["电梯故障", "物业收费", "违章建筑"], "劳动": ["拖欠工资", "社保缴纳", "劳动合同"]}
    texts, labels = [], []
    for i in range(120):
        label = ("城建", "劳动")[i % 2]
        texts.append("，".join([rng.choice(topics[label]), "希望尽快处理", "多次反映"]) + "。")
        labels.append(label)
    model = train_selected(texts, labels, folds=3)
    assert model.metadata["selection"]["chosen"] in model.metadata["selection"]["candidates"]
    assert [p.label for p in model.predict(["公司拖欠工资三个月"])] == ["劳动"]


def test_evidence_filter_keeps_whole_meaningful_words_only():
    for shown in ("电梯", "物业", "拖欠工资", "希望", "建议", "wifi"):
        assert evidence.is_meaningful(shown), shown
    for hidden in ("我", "被", "月", ",希", "。浦南", "8万元", "万元", "2019", "我们", "情况", "<名>", ""):
        assert not evidence.is_meaningful(hidden), hidden
    assert evidence.meaningful(["我", "电梯", "电梯", "，", "维修"]) == ["电梯", "维修"]


def test_model_evidence_is_at_most_six_whole_words_of_the_text():
    from .test_textmodel import _corpus

    texts, labels = _corpus()
    model = TextClassifier.train(texts, labels)
    text = "我被物业打了,希望8万元赔偿。浦南小区电梯长期故障无人维修，物业不作为，3月反映过"
    (prediction,) = model.predict([text])
    assert 1 <= len(prediction.evidence) <= 6
    assert all(evidence.is_meaningful(w) and w in text for w in prediction.evidence)
    assert not {"我", "被", "月", ",希", "。浦南", "8万元"} & set(prediction.evidence)


def test_unlikely_alternatives_are_hidden():
    from xinfang.triage.suggest import ALTERNATIVE_MIN, _from_prediction
    from xinfang.triage.textmodel import Prediction

    prediction = Prediction(
        label="claim",
        confidence=0.72,
        alternatives=[("claim", 0.72), ("suggestion", 0.25), ("accusation", 0.03)],
        evidence=["拖欠", "工资", "社保", "合同", "公司", "劳动", "仲裁"],
    )
    shown = _from_prediction("petition_class", prediction)
    assert [a["value"] for a in shown.alternatives] == ["suggestion"]  # 3 % is not listed
    assert all(a["confidence"] >= ALTERNATIVE_MIN for a in shown.alternatives)
    assert len(shown.evidence) == 6


def test_choice_is_the_simplest_candidate_the_folds_cannot_tell_from_the_best():
    from xinfang.triage.selection import choose

    def report(per_fold):
        return {
            "candidates": {
                name: {"macro_f1_mean": sum(folds) / len(folds), "per_fold": folds}
                for name, folds in per_fold.items()
            }
        }

    names = [name for name, _ in CANDIDATES]
    others = {n: [0.5, 0.5, 0.5] for n in names} | {n + "+sigmoid": [0.5, 0.5, 0.5] for n in names}
    # The last candidate leads by 0.001 on average but loses on one fold of three: the earlier one stays.
    close = report(others | {names[1]: [0.80, 0.81, 0.82], names[3]: [0.805, 0.812, 0.816]})
    assert choose(close)[0] == names[1] and close["best_by_mean"] == names[3]
    # A lead on every fold is kept.
    clear = report(others | {names[1]: [0.80, 0.81, 0.82], names[3]: [0.806, 0.815, 0.824]})
    assert choose(clear)[0] == names[3]
