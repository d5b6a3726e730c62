"""TextClassifier and csvdata on tiny synthetic Chinese corpora (no shared data, no network)."""

import random

import pytest

from xinfang.triage.csvdata import CsvFormatError, read_labelled_csv
from xinfang.triage.segment import words
from xinfang.triage.textmodel import TextClassifier

_TOPICS = {
    "城乡建设": [
        "小区物业不作为",
        "违章建筑占用绿化带",
        "电梯长期故障无人维修",
        "小区停水停电频繁",
        "开发商延期交房",
    ],
    "劳动和社会保障": [
        "公司拖欠工资三个月",
        "单位不缴纳社保",
        "农民工工资被克扣",
        "退休金迟迟没有发放",
        "没有签订劳动合同",
    ],
    "教育文体": [
        "学校违规收取补课费",
        "孩子入学学位紧张",
        "幼儿园收费太高",
        "老师体罚学生",
        "学校食堂卫生差",
    ],
}
_FILLER = ["希望领导重视", "请尽快处理", "多次反映没有结果", "严重影响生活", "恳请有关部门调查"]


def _corpus(n_per_label=30, seed=0):
    rng = random.Random(seed)
    texts, labels = [], []
    for label, phrases in _TOPICS.items():
        for _ in range(n_per_label):
            parts = rng.sample(phrases, 2) + rng.sample(_FILLER, 2)
            rng.shuffle(parts)
            texts.append("我住在东湖区，" + "，".join(parts) + "。")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model():
    texts, labels = _corpus()
    return TextClassifier.train(texts, labels, extra_words=["东湖区"])


def test_predicts_topic_labels_with_probabilities(model):
    predictions = model.predict(
        ["公司拖欠工资还不缴纳社保，请尽快处理", "学校违规收取补课费，幼儿园收费太高"]
    )
    assert [p.label for p in predictions] == ["劳动和社会保障", "教育文体"]
    for p in predictions:
        assert 0.0 <= p.confidence <= 1.0
        assert p.alternatives[0] == (p.label, p.confidence)
        assert len(p.alternatives) == 3
        assert sum(score for _, score in p.alternatives) <= 1.0 + 1e-6


def test_evidence_words_come_from_the_text(model):
    text = "小区电梯长期故障无人维修，物业不作为"
    (prediction,) = model.predict([text])
    assert prediction.label == "城乡建设"
    assert 1 <= len(prediction.evidence) <= 6  # the limit is six words now (was five)
    assert all(word in text for word in prediction.evidence)
    assert any(len(word) >= 2 for word in prediction.evidence)


def test_save_and_load_give_identical_predictions(model, tmp_path):
    texts = ["单位没有签订劳动合同", "老师体罚学生", "开发商延期交房"]
    model.save(tmp_path / "m")
    loaded = TextClassifier.load(tmp_path / "m")
    assert loaded.predict(texts) == model.predict(texts)
    assert loaded.metadata["labels"] == sorted(_TOPICS)
    assert loaded.metadata["n_train"] == 90
    assert "scikit-learn" in loaded.metadata["versions"]


def test_dual_solver_even_when_rows_outnumber_features():
    # scikit-learn's "auto" would pick the primal solver here, 2.4x slower on real volumes.
    texts, labels = _corpus(n_per_label=400, seed=3)
    model = TextClassifier.train(texts, labels)
    assert len(texts) > model.metadata["n_features"]
    assert model._clf.get_params()["dual"] is True
    assert model.predict(["农民工工资被克扣"])[0].label == "劳动和社会保障"


def test_loads_a_model_saved_before_the_solver_setting(model, tmp_path):
    import joblib

    model.save(tmp_path / "old")
    state = joblib.load(tmp_path / "old" / "model.joblib")
    del state["settings"]["svm_dual"]
    joblib.dump(state, tmp_path / "old" / "model.joblib")
    loaded = TextClassifier.load(tmp_path / "old")
    assert loaded.settings.svm_dual is True
    assert loaded.predict(["老师体罚学生"]) == model.predict(["老师体罚学生"])


def test_accepts_presegmented_training_text():
    texts, labels = _corpus(seed=1)
    segmented = [" ".join(words(t)) for t in texts]
    model = TextClassifier.train(segmented[::2] + texts[1::2], labels[::2] + labels[1::2])
    assert model.predict(["公司 拖欠 工资 三个月"])[0].label == "劳动和社会保障"
    assert model.predict(["学校食堂卫生差"])[0].label == "教育文体"


def test_titles_are_optional_per_row():
    texts, labels = _corpus(seed=2)
    titles = ["" if i % 2 else t[:8] for i, t in enumerate(texts)]
    model = TextClassifier.train(texts, labels, titles=titles)
    (prediction,) = model.predict(["退休金迟迟没有发放"], titles=["反映退休金问题"])
    assert prediction.label == "劳动和社会保障"


def test_training_needs_two_labels():
    with pytest.raises(ValueError):
        TextClassifier.train(["甲", "乙"], ["城乡建设", "城乡建设"])


def test_csv_reader_handles_bom_titles_and_empty_rows(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text(
        "\ufeffid,title,text,label\n1,标题,正文一,城乡建设\n2,,,教育文体\n3,,正文三,教育文体\n",
        encoding="utf-8",
    )
    rows = read_labelled_csv(path)
    assert rows.texts == ["正文一", "正文三"]
    assert rows.titles == ["标题", ""]
    assert rows.labels == ["城乡建设", "教育文体"]
    assert rows.ids == ["1", "3"]
    assert rows.skipped == 1


def test_csv_reader_uses_another_label_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("text,question_type\n你好,咨询\n", encoding="utf-8")
    rows = read_labelled_csv(path, label_column="question_type")
    assert rows.labels == ["咨询"] and rows.titles is None


def test_csv_reader_names_the_missing_column_in_chinese(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,category\n正文,城乡建设\n", encoding="utf-8")
    with pytest.raises(CsvFormatError, match="缺少必需的列“label”"):
        read_labelled_csv(path)


def test_csv_reader_rejects_non_utf8(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("text,label\n正文,城乡建设\n".encode("gbk"))
    with pytest.raises(CsvFormatError, match="UTF-8"):
        read_labelled_csv(path)


def test_a_character_block_cut_to_max_df_equals_one_fitted_with_it():
    import dataclasses

    import numpy as np

    from xinfang.triage.textmodel import PLAIN_SETTINGS, _fitted

    texts, _ = _corpus()
    wide = TextClassifier(PLAIN_SETTINGS, [])
    narrow = TextClassifier(dataclasses.replace(PLAIN_SETTINGS, max_df=0.5), [])
    cache = {}
    _, full = _fitted(cache, ("wide",), wide._new_char_vec, texts)
    vectorizer, matrix = _fitted(cache, ("narrow",), narrow._new_char_vec, texts, ("wide",))
    reference = narrow._new_char_vec()
    expected = reference.fit_transform(texts)
    assert matrix.shape == expected.shape and matrix.shape[1] < full.shape[1]
    assert vectorizer.vocabulary_ == reference.vocabulary_
    assert abs(matrix - expected).max() < 1e-6
    assert np.allclose(vectorizer.transform(texts[:5]).toarray(), reference.transform(texts[:5]).toarray())
