"""TX pillar scores (CX, EX, UX, MX) from the shared embeddings.

Zero-shot from short pillar descriptions, few-shot when labelled examples exist: each pillar is
the centroid of its descriptions and examples, and a comment's pillar scores are a softmax
over its cosine to each centroid. Low temperature, because e5 cosines sit in a narrow band.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import vocab as V
from ..errors import ConfigError, InputDataError
from ..embed import l2_normalise
from ._base import check_embeddings, check_is_fitted, softmax


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

    def fit(self, embeddings: np.ndarray, labels) -> "PrototypePillarClassifier":
        embeddings = check_embeddings(embeddings, n_rows=len(labels))
        labels = np.asarray(labels, dtype=object)
        unknown = sorted(set(labels) - set(V.PILLARS))
        if unknown:
            raise InputDataError(f"unknown pillar labels: {unknown} (expected {list(V.PILLARS)})")
        self.classes_ = [p for p in V.PILLARS if p in set(labels)]
        self.centroids_ = l2_normalise(np.stack([embeddings[labels == p].mean(axis=0) for p in self.classes_]))
        return self

    def predict_proba(self, embeddings: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "centroids_")
        embeddings = check_embeddings(embeddings, dim=self.centroids_.shape[1])
        return softmax((embeddings @ self.centroids_.T) / self.temperature)

    def predict(self, embeddings: np.ndarray) -> np.ndarray:
        proba = self.predict_proba(embeddings)
        return np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)]


class PillarTagger:
    """Pipeline stage: adds the primary `pillar` and `score_cx..score_mx`."""

    name = "pillar"

    def __init__(self, classifier: PrototypePillarClassifier):
        self.classifier = classifier

    def predict(self, frame: pd.DataFrame, embeddings: np.ndarray) -> pd.DataFrame:
        proba = self.classifier.predict_proba(check_embeddings(embeddings, n_rows=len(frame)))
        out = pd.DataFrame(index=frame[V.ID].values)
        out[V.PILLAR] = np.asarray(self.classifier.classes_, dtype=object)[proba.argmax(axis=1)]
        for pillar, column in V.PILLAR_SCORE_COLUMNS.items():
            idx = self.classifier.classes_.index(pillar) if pillar in self.classifier.classes_ else None
            out[column] = proba[:, idx].round(4) if idx is not None else 0.0
        return out
