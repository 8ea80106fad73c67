"""Density clustering with scikit-learn's HDBSCAN; leaves sparse comments as outliers (-1)."""
from __future__ import annotations

import numpy as np

from txnlp.themes.cluster._base import drop_small_clusters


class HDBSCANClusterer:
    def __init__(self, *, min_cluster_size: int, min_samples: int | None = None):
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples

    def fit_predict(self, embeddings: np.ndarray) -> np.ndarray:
        from sklearn.cluster import HDBSCAN

        if len(embeddings) < self.min_cluster_size:
            return np.full(len(embeddings), -1, dtype=int)
        model = HDBSCAN(min_cluster_size=self.min_cluster_size, min_samples=self.min_samples)
        self.labels_ = drop_small_clusters(model.fit_predict(embeddings), self.min_cluster_size)
        return self.labels_
