"""NB-SVM (Wang & Manning 2012): a linear SVM per label on features scaled by naive-Bayes log-count ratios.

For each label the features are multiplied by ``r = log((p / |p|₁) / (q / |q|₁))``, where ``p`` and
``q`` count (with smoothing ``alpha``) the rows in and out of the label that contain each feature; a
binary linear SVM is then fitted on the scaled rows, one against the rest. Features that separate
the label get a larger scale, so the SVM's L2 penalty spends less on them: on message kinds
(建言 / 投诉/求助 / 咨询, MSGABench, 5-fold CV on the training split) this gave 0.825 macro-F1 against
0.820 for the same word + character features in a plain linear SVM.

Once fitted the model is an ordinary linear model, ``score = x · (w ∘ r) + b``: ``coef_`` holds
``w ∘ r`` per label, so prediction costs the same as a LinearSVC and the evidence words are read from
``coef_`` in the same way. Pure Python (no Django).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC


class NBLinearSVC:
    """One-vs-rest linear SVMs on NB-scaled features; ``fit`` / ``decision_function`` / ``coef_`` like
    LinearSVC (``y`` holds label indices 0 … k-1; always k score columns, also for two labels)."""

    def __init__(self, *, C: float = 1.0, class_weight: str | None = None, dual=True, alpha: float = 1.0):
        self.C = C
        self.class_weight = class_weight
        self.dual = dual
        self.alpha = alpha
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None

    def get_params(self, deep: bool = True) -> dict:
        return {"C": self.C, "class_weight": self.class_weight, "dual": self.dual, "alpha": self.alpha}

    def fit(self, x: sp.csr_matrix, y: np.ndarray) -> NBLinearSVC:
        x = sp.csr_matrix(x)
        y = np.asarray(y)
        labels = np.unique(y)
        present = (x > 0).astype(np.float32)
        # Rows containing each feature, per label (labels × features) and in all.
        member = sp.csr_matrix(
            (np.ones(len(y), dtype=np.float32), (np.searchsorted(labels, y), np.arange(len(y))))
        )
        inside_counts = np.asarray((member @ present).todense())
        all_counts = inside_counts.sum(axis=0)
        counts = np.bincount(y)
        # "balanced" as LinearSVC means it for several labels: each row weighs n / (k · rows of its label).
        weights = None
        if self.class_weight == "balanced":
            weights = len(y) / (len(labels) * counts[y])
        coef = np.zeros((len(labels), x.shape[1]))
        intercept = np.zeros(len(labels))
        for j, label in enumerate(labels):
            inside = y == label
            p = self.alpha + inside_counts[j]
            q = self.alpha + all_counts - inside_counts[j]
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            scaled = x.copy()
            scaled.data *= ratio.astype(np.float32)[scaled.indices]  # x · diag(r), without a matrix product
            svm = LinearSVC(C=self.C, dual=self.dual, random_state=0)
            svm.fit(scaled, inside.astype(int), sample_weight=weights)
            coef[j] = svm.coef_[0] * ratio
            intercept[j] = svm.intercept_[0]
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept
        return self

    def decision_function(self, x) -> np.ndarray:
        return np.asarray(x @ self.coef_.T) + self.intercept_
