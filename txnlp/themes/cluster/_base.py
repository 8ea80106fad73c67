"""The clusterer contract: embeddings in, one integer label per row out (-1 = outlier)."""
from __future__ import annotations

from typing import Protocol

import numpy as np



class Clusterer(Protocol):
    def fit_predict(self, embeddings: np.ndarray) -> np.ndarray: ...


def drop_small_clusters(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Clusters below `min_size` become outliers (-1); the rest are renumbered 0..k-1 by size, largest first."""
    labels = np.asarray(labels).copy()
    values, counts = np.unique(labels[labels >= 0], return_counts=True)
    keep = [v for v, c in sorted(zip(values, counts), key=lambda vc: (-vc[1], vc[0])) if c >= min_size]
    mapping = {old: new for new, old in enumerate(keep)}
    return np.array([mapping.get(label, -1) for label in labels], dtype=int)
