"""Ward on a sample, everyone else by nearest centroid: clustering whose memory stops growing with n.

Ward (scipy's nearest-neighbour chain, used by scikit-learn) keeps a condensed distance matrix:
n(n-1)/2 float64, 0.4 GB at 10,000 rows and 10 GB at 50,000. Above `max_rows`, the wrapped
clusterer runs on a seeded random sample of `max_rows` rows and the other rows join the cluster
whose centroid is nearest (cosine: rows are unit vectors), in chunks, so the extra memory is the
sample's matrix plus (chunk x k). Up to `max_rows` rows nothing changes: the wrapped clusterer
sees every row, so results on small nights (the 428-comment sample) are identical.
"""
from __future__ import annotations

import logging

import numpy as np

from txnlp.themes.cluster._base import drop_small_clusters

log = logging.getLogger(__name__)

_ASSIGN_CHUNK = 8192


class SampledClusterer:
    """Run `clusterer` on at most `max_rows` rows; assign the rest to the nearest sampled centroid.

    Args:
        clusterer: anything with fit_predict(embeddings) -> labels (a clusterer that chooses its own
            k chooses it on the sample: the themes an analyst can read do not grow with the night).
        max_rows: largest number of rows the wrapped clusterer sees.
        min_cluster_size: clusters smaller than this after assignment become outliers (-1).
        seed: seed of the sample.

    Attributes:
        labels_: the labels of the last fit_predict.
        sampled_: whether the last call used a sample.
    """

    def __init__(self, clusterer, *, max_rows: int, min_cluster_size: int, seed: int):
        self.clusterer = clusterer
        self.max_rows = max_rows
        self.min_cluster_size = min_cluster_size
        self.seed = seed

    def fit_predict(self, embeddings: np.ndarray) -> np.ndarray:
        n = len(embeddings)
        if n <= self.max_rows:
            self.sampled_ = False
            self.labels_ = self.clusterer.fit_predict(embeddings)
            return self.labels_
        self.sampled_ = True
        rng = np.random.default_rng(self.seed)
        sample = np.sort(rng.choice(n, size=self.max_rows, replace=False))
        sample_labels = self.clusterer.fit_predict(embeddings[sample])
        kept = sorted(set(sample_labels[sample_labels >= 0].tolist()))
        if not kept:
            self.labels_ = np.full(n, -1, dtype=int)
            return self.labels_
        centroids = np.stack([embeddings[sample][sample_labels == c].mean(axis=0) for c in kept]).astype(np.float32)
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        labels = np.empty(n, dtype=int)
        for start in range(0, n, _ASSIGN_CHUNK):
            block = embeddings[start:start + _ASSIGN_CHUNK]
            labels[start:start + _ASSIGN_CHUNK] = np.asarray(kept)[(block @ centroids.T).argmax(axis=1)]
        # rows of the sample keep their own label (an outlier of the sample stays an outlier)
        labels[sample] = sample_labels
        self.labels_ = drop_small_clusters(labels, self.min_cluster_size)
        log.info("clustered %d rows: %d sampled, %d clusters kept", n, self.max_rows, len(set(self.labels_)) - 1)
        return self.labels_

