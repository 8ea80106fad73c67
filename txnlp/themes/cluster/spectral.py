"""Spectral clustering on a k-nearest-neighbour graph of the (language-centred) embeddings.

Chosen as the default for themes by measurement on three labelled sets (README, "Themes"): on the
concatenated e5+USE view it beats Ward, k-means and HDBSCAN on the sample and on `data/sample_b`,
and ties with them on real rail feedback. A kNN graph only asks "which comments are each other's
nearest neighbours", so it is insensitive to e5's narrow similarity band, where any global distance
threshold is fragile. The number of clusters comes from the data (`select_k`), unless fixed.
"""
from __future__ import annotations

import logging

import numpy as np

from txnlp.themes.cluster._base import drop_small_clusters
from txnlp.themes.cluster.select_k import candidate_ks, most_stable_k, stability_scores

log = logging.getLogger(__name__)


class SpectralClusterer:
    """Spectral clustering into `n_clusters`, or into the most stable k of a grid when `n_clusters` is None.

    Args:
        n_clusters: a fixed number of clusters, or None to choose it per run by stability.
        n_neighbors: neighbours per point in the affinity graph.
        min_cluster_size: smaller clusters are reported as outliers (-1).
        min_clusters, max_clusters: bounds on the chosen k.
        k_per_sqrt_n: the searched k lie between these multiples of sqrt(n) (within the bounds).
        k_candidates: size of the geometric grid of k tried.
        stability_resamples, stability_fraction, stability_max_rows: the resampling that scores each k.
        random_state: seed of the eigen-solver, the label assignment and the resampling.

    Attributes:
        labels_: labels of the last fit_predict.
        n_clusters_: the k used by the last fit_predict.
        stability_: {k: agreement per resample pair} of the last choice (empty when k was fixed).
    """

    def __init__(self, *, n_clusters: int | None, n_neighbors: int, min_cluster_size: int, min_clusters: int,
                 max_clusters: int, k_per_sqrt_n: tuple[float, float], k_candidates: int, stability_resamples: int,
                 stability_fraction: float, stability_max_rows: int, random_state: int = 0):
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.min_cluster_size = min_cluster_size
        self.min_clusters = min_clusters
        self.max_clusters = max_clusters
        self.k_per_sqrt_n = k_per_sqrt_n
        self.k_candidates = k_candidates
        self.stability_resamples = stability_resamples
        self.stability_fraction = stability_fraction
        self.stability_max_rows = stability_max_rows
        self.random_state = random_state

    def _spectral(self, x: np.ndarray, k: int) -> np.ndarray:
        from sklearn.cluster import SpectralClustering

        model = SpectralClustering(n_clusters=max(2, min(k, len(x) - 1)), affinity="nearest_neighbors",
                                   n_neighbors=min(self.n_neighbors, len(x) - 1), random_state=self.random_state,
                                   assign_labels="cluster_qr")
        return model.fit_predict(x)

    def choose_k(self, embeddings: np.ndarray) -> int:
        """The fixed k, or the most stable one of the grid for this many rows (sets `stability_`)."""
        n = len(embeddings)
        if self.n_clusters is not None:
            self.stability_ = {}
            return max(2, min(self.n_clusters, n - 1))
        ks = candidate_ks(n, min_clusters=self.min_clusters, max_clusters=self.max_clusters,
                          per_sqrt_n=tuple(self.k_per_sqrt_n), n_candidates=self.k_candidates)
        if len(ks) == 1:
            self.stability_ = {ks[0]: []}
            return ks[0]
        self.stability_ = stability_scores(embeddings, ks, self._spectral, resamples=self.stability_resamples,
                                           fraction=self.stability_fraction, max_rows=self.stability_max_rows,
                                           seed=self.random_state)
        k = most_stable_k(self.stability_)
        log.info("themes: k=%d chosen by stability from %s", k,
                 {kk: round(float(np.mean(s)), 3) for kk, s in self.stability_.items()})
        return k

    def fit_predict(self, embeddings: np.ndarray) -> np.ndarray:
        n = len(embeddings)
        if n < 3:
            self.n_clusters_, self.stability_ = 0, {}
            self.labels_ = np.full(n, -1, dtype=int)
            return self.labels_
        self.n_clusters_ = self.choose_k(embeddings)
        self.labels_ = drop_small_clusters(self._spectral(embeddings, self.n_clusters_), self.min_cluster_size)
        return self.labels_
