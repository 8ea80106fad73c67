"""Sentiment (negative | neutral | positive) as a linear head on the shared sentence embeddings.

Inference is one matrix product in numpy; scikit-learn is only needed to fit. The score is
P(positive) - P(negative), in [-1, 1]. Probabilities are calibrated by one temperature fitted on a
held-out split of the training data (`calibrate`), so "P(negative) = 0.8" means about 80%.

`features` names what the head reads: "base" (the shared embeddings only) or "base+use" (the shared
embeddings concatenated with multilingual USE vectors of the same texts, computed by the tagger).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.errors import ArtifactError, InputDataError
from txnlp.embed._base import Embedder
from txnlp.classify._base import LinearHead, check_embeddings, check_is_fitted, softmax


class LinearSentimentClassifier(LinearHead):
    """Multinomial logistic regression on frozen embeddings.

    Args:
        C: inverse regularisation strength.
        class_weight: "balanced" evens out the very skewed review sets.
        features: "base" or "base+use" (see module docstring).

    Attributes:
        classes_: label order of the columns of predict_proba.
        coef_, intercept_: the learned head.
        temperature_: logit temperature (1.0 until `calibrate` is called).
    """

    kind = "linear"
    description = "linear sentiment"

    def __init__(self, C: float = 1.0, class_weight: str | None = "balanced", max_iter: int = 3000, seed: int = 0,
                 features: str = "base"):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.seed = seed
        self.features = features

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
        self.temperature_ = 1.0
        return self

    def calibrate(self, embeddings: np.ndarray, labels) -> "LinearSentimentClassifier":
        """Fit the logit temperature on held-out rows (minimum log-loss over a grid); returns self."""
        check_is_fitted(self, "coef_")
        logits = self._logits(check_embeddings(embeddings, n_rows=len(labels), dim=self.coef_.shape[1]))
        col = {c: i for i, c in enumerate(self.classes_)}
        known = np.array([label in col for label in labels])
        y = np.array([col[label] for label in np.asarray(labels, dtype=object)[known]])
        if not len(y):
            return self
        grid = np.exp(np.linspace(np.log(0.25), np.log(4.0), 41))
        losses = [-np.log(softmax(logits[known] / t)[np.arange(len(y)), y] + 1e-12).mean() for t in grid]
        self.temperature_ = float(grid[int(np.argmin(losses))])
        return self

    def _logits(self, embeddings: np.ndarray) -> np.ndarray:
        return embeddings @ self.coef_.T + self.intercept_

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "coef_")
        embeddings = check_embeddings(embeddings, dim=self.coef_.shape[1])
        return softmax(self._logits(embeddings) / getattr(self, "temperature_", 1.0))

    def predict(self, embeddings: np.ndarray) -> np.ndarray:
        proba = self.predict_proba(embeddings)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]

    def score_from_proba(self, proba: np.ndarray) -> np.ndarray:
        col = {c: i for i, c in enumerate(self.classes_)}
        pos = proba[:, col["positive"]] if "positive" in col else 0.0
        neg = proba[:, col["negative"]] if "negative" in col else 0.0
        return np.clip(pos - neg, -1.0, 1.0)

    def _saved_meta(self) -> dict:
        return {"params": {"C": self.C, "class_weight": self.class_weight, "max_iter": self.max_iter,
                           "seed": self.seed, "features": self.features},
                "temperature": getattr(self, "temperature_", 1.0)}

    def _restore(self, meta: dict) -> None:
        self.temperature_ = float(meta.get("temperature", 1.0))


def needs_use(classifier) -> bool:
    """Whether a sentiment head reads USE features next to the shared embeddings."""
    return "use" in str(getattr(classifier, "features", "base")).split("+")


def sentiment_features(texts: list[str], embeddings: np.ndarray, classifier,
                       feature_embedder: Embedder | None = None) -> np.ndarray:
    """The matrix the head reads: the shared embeddings, plus USE vectors when the head was trained on them."""
    if not needs_use(classifier):
        return embeddings
    if feature_embedder is None:
        raise ArtifactError(f"sentiment model '{getattr(classifier, 'meta_', {}).get('model_id', '?')}' reads "
                            "base+use features but no USE embedder was given")
    return np.hstack([embeddings, feature_embedder.encode(list(texts))]).astype(np.float32)


class SentimentTagger:
    """Pipeline stage: adds `sentiment` and `sentiment_score` from the shared embeddings.

    Args:
        classifier: a fitted sentiment head.
        feature_embedder: the USE embedder, needed only by heads with features "base+use".
    """

    name = "sentiment"

    def __init__(self, classifier: LinearSentimentClassifier, feature_embedder: Embedder | None = None):
        self.classifier = classifier
        self.feature_embedder = feature_embedder

    def predict_proba_frame(self, frame: pd.DataFrame, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(probabilities, labels, scores) for the rows of `frame`."""
        embeddings = check_embeddings(embeddings, n_rows=len(frame))
        x = sentiment_features(frame[V.TEXT].tolist(), embeddings, self.classifier, self.feature_embedder)
        proba = self.classifier.predict_proba(x)
        labels = np.asarray(self.classifier.classes_, dtype=object)[proba.argmax(axis=1)]
        return proba, labels, self.classifier.score_from_proba(proba)

    def predict(self, frame: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
        _, labels, scores = self.predict_proba_frame(frame, embeddings)
        return pd.DataFrame({V.SENTIMENT: labels, V.SENTIMENT_SCORE: scores.round(4)}, index=frame[V.ID].values)
