"""NB-SVM (nbsvm.py): an ordinary linear model once fitted, inside TextClassifier too."""

import numpy as np
import scipy.sparse as sp

from xinfang.triage import evidence
from xinfang.triage.nbsvm import NBLinearSVC
from xinfang.triage.textmodel import NB_INTENT_SETTINGS, TextClassifier

from .test_textmodel import _corpus


def test_scores_are_the_linear_model_of_its_coefficients():
    rng = np.random.default_rng(0)
    x = sp.random(60, 40, density=0.2, format="csr", random_state=1, dtype=np.float32)
    y = rng.integers(0, 3, 60)
    model = NBLinearSVC(C=0.5).fit(x, y)
    assert model.coef_.shape == (3, 40)
    expected = x @ model.coef_.T + model.intercept_
    assert np.allclose(model.decision_function(x), expected)


def test_balanced_weights_favour_the_rare_label():
    x = sp.csr_matrix(np.array([[1, 0], [1, 0], [1, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32))
    y = np.array([0, 0, 0, 0, 1, 1])
    plain = NBLinearSVC(C=1.0).fit(x, y).decision_function(x)
    balanced = NBLinearSVC(C=1.0, class_weight="balanced").fit(x, y).decision_function(x)
    assert balanced[5, 1] - balanced[5, 0] > plain[5, 1] - plain[5, 0]


def test_text_model_with_nb_scaling_predicts_and_explains_with_two_labels(tmp_path):
    texts, labels = _corpus()
    keep = [i for i, label in enumerate(labels) if label != "教育文体"]
    model = TextClassifier.train(
        [texts[i] for i in keep], [labels[i] for i in keep], settings=NB_INTENT_SETTINGS
    )
    text = "公司拖欠工资三个月，希望领导重视"
    (prediction,) = model.predict([text])
    assert prediction.label == "劳动和社会保障"
    assert [label for label, _ in prediction.alternatives] == ["劳动和社会保障", "城乡建设"]
    assert prediction.evidence and all(evidence.is_meaningful(w) and w in text for w in prediction.evidence)
    model.save(tmp_path / "m")
    assert TextClassifier.load(tmp_path / "m").predict([text]) == [prediction]


def test_platt_curves_match_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    from xinfang.triage.textmodel import fit_platt

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    scores = rng.normal(size=(400, 3))
    scores[np.arange(400), y] += 1.0
    curves = fit_platt(scores, y)
    for j in range(3):
        reference = LogisticRegression(C=1e4, tol=1e-8, max_iter=1000).fit(scores[:, j : j + 1], y == j)
        assert np.allclose(curves[j], [reference.coef_[0, 0], reference.intercept_[0]], atol=1e-4)
