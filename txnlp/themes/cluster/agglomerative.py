"""Agglomerative (Ward) clustering of the embeddings.

Chosen over HDBSCAN as the default because on e5 embeddings HDBSCAN labels most short comments
as noise (see shared/eval/BASELINES.md: ARI 0.00-0.17 vs 0.39-0.48 for Ward).
"""
from __future__ import annotations

import math

import numpy as np

from txnlp.themes.cluster._base import drop_small_clusters


class AgglomerativeClusterer:
    """Ward clustering into `n_clusters` (or sqrt(n/2) when None, or cut at `distance_threshold`).

    Args:
        n_clusters: fixed number of clusters; None picks one from the data size or the threshold.
        distance_threshold: used only when set and n_clusters is None.
        min_cluster_size: smaller clusters are reported as outliers (-1).
    """

    def __init__(self, *, n_clusters: int | None, distance_threshold: float | None, linkage: str,
                 min_cluster_size: int):
        self.n_clusters = n_clusters
        self.distance_threshold = distance_threshold
        self.linkage = linkage
        self.min_cluster_size = min_cluster_size

    def n_clusters_for(self, n_rows: int) -> int | None:
        if self.n_clusters is not None:
            return min(self.n_clusters, n_rows)
        if self.distance_threshold is not None:
            return None
        return max(2, min(n_rows, round(math.sqrt(n_rows / 2))))

    def fit_predict(self, embeddings: np.ndarray) -> np.ndarray:
        from sklearn.cluster import AgglomerativeClustering

        n = len(embeddings)
        if n < 2:
            return np.full(n, -1, dtype=int)
        k = self.n_clusters_for(n)
        model = AgglomerativeClustering(n_clusters=k, linkage=self.linkage,
                                        distance_threshold=None if k else self.distance_threshold)
        self.labels_ = drop_small_clusters(model.fit_predict(embeddings), self.min_cluster_size)
        return self.labels_
