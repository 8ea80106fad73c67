"""Ward on a sample plus nearest-centroid assignment above `max_rows`; unchanged below it."""
from __future__ import annotations

import numpy as np

from txnlp.themes.cluster import AgglomerativeClusterer
from txnlp.themes.cluster.sampled import SampledClusterer


def _ward(n_clusters=4, min_cluster_size=5):
    return AgglomerativeClusterer(n_clusters=n_clusters, distance_threshold=None, linkage="ward",
                                  min_cluster_size=min_cluster_size)


def _blobs(n_per: int, k: int = 4, dim: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim)) * 3
    x = np.concatenate([centres[i] + rng.normal(size=(n_per, dim)) * 0.3 for i in range(k)])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x.astype(np.float32), np.repeat(np.arange(k), n_per)


def test_cluster_sampled_identical_below_max_rows():
    x, _ = _blobs(30)
    full = _ward().fit_predict(x)
    wrapped = SampledClusterer(_ward(), max_rows=1000, min_cluster_size=5, seed=0).fit_predict(x)
    np.testing.assert_array_equal(full, wrapped)


def test_cluster_sampled_recovers_blobs_above_max_rows():
    from sklearn.metrics import adjusted_rand_score

    x, truth = _blobs(500)
    clusterer = SampledClusterer(_ward(), max_rows=300, min_cluster_size=5, seed=1)
    labels = clusterer.fit_predict(x)
    assert clusterer.sampled_ and len(labels) == len(x)
    assert adjusted_rand_score(truth, labels) > 0.95
