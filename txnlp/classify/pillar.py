"""TX pillar scores (CX, EX, UX, MX) from the shared embeddings.

Two classifiers with one interface (`fit(embeddings, labels, context=None)`, `predict_proba(embeddings, context=None)`):
- `PrototypePillarClassifier`, zero-shot from short pillar descriptions (few-shot when examples are
  added): each pillar is the centroid of its texts, scores are a softmax over cosines. Low
  temperature, because e5 cosines sit in a narrow band.
- `LinearPillarClassifier`, few-shot from labelled examples: one-vs-rest logistic regression on the
  embedding plus one-hot context columns (the comment's `audience`, and `channel` where the labelled
  data has it), because who wrote a comment carries much of the pillar (an employee rarely writes CX).
  Scores are independent sigmoids in [0, 1] (multi-label); the primary pillar is the highest.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from txnlp import vocab as V
from txnlp.errors import ConfigError, InputDataError
from txnlp.embed import l2_normalise
from txnlp.classify._base import LinearHead, check_embeddings, check_is_fitted, softmax


def read_definitions(path: Path) -> tuple[list[str], list[str]]:
    """Texts and pillar labels from the YAML of pillar descriptions (pillar -> lang -> list of texts)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read pillar definitions {path}: {type(exc).__name__}") from None
    texts, labels = [], []
    for pillar, by_lang in (data or {}).items():
        if pillar not in V.PILLARS:
            raise ConfigError(f"{path}: unknown pillar '{pillar}' (expected {list(V.PILLARS)})")
        for items in (by_lang or {}).values():
            for text in items if isinstance(items, list) else [items]:
                texts.append(str(text))
                labels.append(pillar)
    missing = set(V.PILLARS) - set(labels)
    if missing:
        raise ConfigError(f"{path}: no descriptions for pillars {sorted(missing)}")
    return texts, labels


class PrototypePillarClassifier:
    """Nearest-centroid pillar classifier with softmax scores.

    Attributes:
        classes_: pillar order of the score columns.
        centroids_: (4, d) unit vectors, one per pillar.
    """

    kind = "prototype"

    def __init__(self, temperature: float = 0.05):
        self.temperature = temperature

    def fit(self, embeddings: np.ndarray, labels, context: pd.DataFrame | None = None) -> "PrototypePillarClassifier":
        embeddings = check_embeddings(embeddings, n_rows=len(labels))
        labels = _check_pillar_labels(labels)
        self.classes_ = [p for p in V.PILLARS if p in set(labels)]
        self.centroids_ = l2_normalise(np.stack([embeddings[labels == p].mean(axis=0) for p in self.classes_]))
        return self

    def predict_proba(self, embeddings: np.ndarray, context: pd.DataFrame | None = None) -> np.ndarray:
        check_is_fitted(self, "centroids_")
        embeddings = check_embeddings(embeddings, dim=self.centroids_.shape[1])
        return softmax((embeddings @ self.centroids_.T) / self.temperature)

    def predict(self, embeddings: np.ndarray, context: pd.DataFrame | None = None) -> np.ndarray:
        proba = self.predict_proba(embeddings)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]


def _check_pillar_labels(labels) -> np.ndarray:
    labels = np.asarray(labels, dtype=object)
    unknown = sorted(set(labels) - set(V.PILLARS))
    if unknown:
        raise InputDataError(f"unknown pillar labels: {unknown} (expected {list(V.PILLARS)})")
    return labels


class LinearPillarClassifier(LinearHead):
    """One-vs-rest logistic regression on [embedding, context one-hot x context_weight].

    Args:
        C: inverse regularisation strength.
        context_columns: frame columns used as categorical features when present at fit time.
        context_weight: scale of the one-hot block (embeddings are unit vectors, so ~1 is comparable).

    Attributes:
        classes_: pillar order of the score columns.
        coef_, intercept_: (n_classes, d + n_context) and (n_classes,).
        context_values_: {column: [values seen at fit]}; unseen values give an all-zero block.
    """

    kind = "linear-pillar"
    description = "linear pillar"

    def __init__(self, C: float = 4.0, context_columns: tuple[str, ...] = (V.AUDIENCE, V.CHANNEL),
                 context_weight: float = 1.0, class_weight: str | None = "balanced", seed: int = 0):
        self.C = C
        self.context_columns = context_columns
        self.context_weight = context_weight
        self.class_weight = class_weight
        self.seed = seed

    def _context_block(self, context: pd.DataFrame | None, n: int) -> np.ndarray:
        blocks = []
        for column, values in self.context_values_.items():
            block = np.zeros((n, len(values)), dtype=np.float32)
            if context is not None and column in context:
                col = context[column].astype(str).str.lower().to_numpy()
                for j, value in enumerate(values):
                    block[:, j] = col == value
            blocks.append(block * self.context_weight)
        return np.hstack(blocks) if blocks else np.zeros((n, 0), dtype=np.float32)

    def fit(self, embeddings: np.ndarray, labels, context: pd.DataFrame | None = None) -> "LinearPillarClassifier":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        embeddings = check_embeddings(embeddings, n_rows=len(labels))
        labels = _check_pillar_labels(labels)
        self.context_values_ = {}
        for column in self.context_columns:
            if context is not None and column in context:
                values = sorted(v for v in set(context[column].astype(str).str.lower()) if v not in ("", "nan", V.UNKNOWN))
                if values:
                    self.context_values_[column] = values
        x = np.hstack([embeddings, self._context_block(context, len(labels))])
        model = OneVsRestClassifier(LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000,
                                                       random_state=self.seed)).fit(x, labels)
        self.classes_ = [str(c) for c in model.classes_]
        self.coef_ = np.vstack([e.coef_ for e in model.estimators_]).astype(np.float32)
        self.intercept_ = np.concatenate([e.intercept_ for e in model.estimators_]).astype(np.float32)
        self.dim_ = embeddings.shape[1]
        return self

    def predict_proba(self, embeddings: np.ndarray, context: pd.DataFrame | None = None) -> np.ndarray:
        check_is_fitted(self, "coef_")
        embeddings = check_embeddings(embeddings, dim=self.dim_)
        x = np.hstack([embeddings, self._context_block(context, len(embeddings))])
        return 1.0 / (1.0 + np.exp(-(x @ self.coef_.T + self.intercept_)))

    def predict(self, embeddings: np.ndarray, context: pd.DataFrame | None = None) -> np.ndarray:
        proba = self.predict_proba(embeddings, context)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]

    def _saved_meta(self) -> dict:
        return {"context_values": self.context_values_, "dim": self.dim_,
                "params": {"C": self.C, "context_columns": list(self.context_columns),
                           "context_weight": self.context_weight, "class_weight": self.class_weight, "seed": self.seed}}

    @classmethod
    def _init_params(cls, params: dict) -> dict:
        return {**params, "context_columns": tuple(params.get("context_columns", ()))}

    def _restore(self, meta: dict) -> None:
        self.context_values_ = {k: list(v) for k, v in meta.get("context_values", {}).items()}
        self.dim_ = int(meta["dim"])


class PillarTagger:
    """Pipeline stage: adds the primary `pillar` and `score_cx..score_mx`."""

    name = "pillar"

    def __init__(self, classifier):
        self.classifier = classifier

    def predict(self, frame: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
        proba = self.classifier.predict_proba(check_embeddings(embeddings, n_rows=len(frame)), frame)
        out = pd.DataFrame(index=frame[V.ID].values)
        out[V.PILLAR] = np.asarray(self.classifier.classes_, dtype=object)[proba.argmax(axis=1)]
        for pillar, column in V.PILLAR_SCORE_COLUMNS.items():
            idx = self.classifier.classes_.index(pillar) if pillar in self.classifier.classes_ else None
            out[column] = proba[:, idx].round(4) if idx is not None else 0.0
        return out
