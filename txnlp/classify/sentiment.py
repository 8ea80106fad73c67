"""Sentiment (negative | neutral | positive) as a linear head on the shared sentence embeddings.

Inference is one matrix product in numpy; scikit-learn is only needed to fit. The score is
P(positive) - P(negative), in [-1, 1].
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import vocab as V
from ..artifacts import load_model_dir, save_model_dir
from ..errors import ArtifactError, InputDataError
from ._base import check_embeddings, check_is_fitted, softmax


class LinearSentimentClassifier:
    """Multinomial logistic regression on frozen embeddings.

    Args:
        C: inverse regularisation strength.
        class_weight: "balanced" evens out the very skewed review sets.

    Attributes:
        classes_: label order of the columns of predict_proba.
        coef_, intercept_: the learned head.
    """

    kind = "linear"

    def __init__(self, C: float = 1.0, class_weight: str | None = "balanced", max_iter: int = 3000, seed: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.seed = seed

    def fit(self, embeddings: np.ndarray, labels) -> "LinearSentimentClassifier":
        from sklearn.linear_model import LogisticRegression

        embeddings = check_embeddings(embeddings, n_rows=len(labels))
        labels = np.asarray(labels, dtype=object)
        unknown = sorted(set(labels) - set(V.SENTIMENTS))
        if unknown:
            raise InputDataError(f"unknown sentiment labels: {unknown} (expected {list(V.SENTIMENTS)})")
        model = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                                   random_state=self.seed)
        model.fit(embeddings, labels)
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = model.coef_.astype(np.float32)
        self.intercept_ = model.intercept_.astype(np.float32)
        if len(self.classes_) == 2:  # binary LR stores one row; expand so predict_proba stays a softmax
            self.coef_ = np.vstack([-self.coef_ / 2, self.coef_ / 2])
            self.intercept_ = np.array([-self.intercept_[0] / 2, self.intercept_[0] / 2], dtype=np.float32)
        return self

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "coef_")
        embeddings = check_embeddings(embeddings, dim=self.coef_.shape[1])
        return softmax(embeddings @ self.coef_.T + self.intercept_)

    def predict(self, embeddings: np.ndarray) -> np.ndarray:
        proba = self.predict_proba(embeddings)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]

    def score_from_proba(self, proba: np.ndarray) -> np.ndarray:
        col = {c: i for i, c in enumerate(self.classes_)}
        pos = proba[:, col["positive"]] if "positive" in col else 0.0
        neg = proba[:, col["negative"]] if "negative" in col else 0.0
        return np.clip(pos - neg, -1.0, 1.0)

    def save(self, directory: Path, meta: dict | None = None, card: str | None = None) -> Path:
        check_is_fitted(self, "coef_")
        info = {"kind": self.kind, "classes": self.classes_,
                "params": {"C": self.C, "class_weight": self.class_weight, "max_iter": self.max_iter, "seed": self.seed},
                **(meta or {})}
        extra = {"README.md": card} if card else None
        return save_model_dir(directory, {"coef": self.coef_, "intercept": self.intercept_}, info, extra)

    @classmethod
    def load(cls, directory: Path) -> "LinearSentimentClassifier":
        tensors, meta = load_model_dir(directory)
        if meta.get("kind") != cls.kind:
            raise ArtifactError(f"{directory}: kind '{meta.get('kind')}' is not a linear sentiment model")
        model = cls(**meta.get("params", {}))
        model.classes_ = list(meta["classes"])
        model.coef_ = tensors["coef"]
        model.intercept_ = tensors["intercept"]
        model.meta_ = meta
        return model


class SentimentTagger:
    """Pipeline stage: adds `sentiment` and `sentiment_score` from the shared embeddings."""

    name = "sentiment"

    def __init__(self, classifier: LinearSentimentClassifier):
        self.classifier = classifier

    def predict(self, frame: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
        proba = self.classifier.predict_proba(check_embeddings(embeddings, n_rows=len(frame)))
        labels = np.asarray(self.classifier.classes_, dtype=object)[proba.argmax(axis=1)]
        return pd.DataFrame({V.SENTIMENT: labels, V.SENTIMENT_SCORE: self.classifier.score_from_proba(proba).round(4)},
                            index=frame[V.ID].values)
