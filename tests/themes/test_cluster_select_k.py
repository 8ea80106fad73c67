"""The number of themes from the data: planted themes of unequal sizes with noise, on a small and a bigger night."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.themes.helpers import spectral
from txnlp.config import Settings
from txnlp.themes.cluster.select_k import candidate_ks, most_stable_k
from txnlp.themes.model import ThemeModel


def _planted(sizes, n_noise, dim=896, spread=0.5, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    rows, truth = [], []
    for t, size in enumerate(sizes):
        rows.append(centres[t] + rng.normal(size=(size, dim)) * spread)
        truth += [t] * size
    rows.append(rng.normal(size=(n_noise, dim)))  # unrelated comments: no direction in common (896 = e5 + USE dims)
    truth += [-1] * n_noise
    x = np.vstack(rows).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), np.asarray(truth)


def _model():
    settings = Settings()
    return ThemeModel(spectral(), centre_languages=False, min_theme_size=settings.cluster.min_cluster_size,
                      min_similarity=settings.cluster.min_similarity,
                      min_coherence=settings.cluster.min_coherence, match_threshold=settings.tracking.match_threshold,
                      assign_threshold=settings.tracking.assign_threshold, full_every=1)


@pytest.mark.parametrize("sizes, n_noise", [((40, 25, 15, 10, 8), 12), ((120, 100, 90, 80, 70, 60, 50, 45, 40, 35, 30, 25, 20, 20), 60)])
def test_select_k_finds_planted_unequal_themes_and_leaves_noise_unthemed(sizes, n_noise):
    x, truth = _planted(sizes, n_noise)
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(len(x))], "text": [f"comment {i}" for i in range(len(x))],
                          "lang": "en"})
    model = _model().fit(frame, x)
    labels = model.labels_
    assert len(set(labels[labels >= 0])) == len(sizes)
    assert model.clusterer.n_clusters_ == len(sizes)
    themed = truth >= 0
    assert adjusted_rand_score(truth[themed], labels[themed]) > 0.95
    assert (labels[~themed] == -1).mean() >= 0.9, "noise comments must stay unthemed"
    assert (labels[themed] >= 0).mean() >= 0.95
    assert all(c > 0.3 for c in model.coherence_.values())


def test_candidate_ks_follow_sqrt_n_within_bounds():
    assert candidate_ks(100, min_clusters=2, max_clusters=60, per_sqrt_n=(0.4, 1.0), n_candidates=8) == [4, 5, 6, 7, 8, 9, 10]
    assert candidate_ks(40_000, min_clusters=2, max_clusters=60, per_sqrt_n=(0.4, 1.0), n_candidates=8)[-1] == 60
    assert candidate_ks(10, min_clusters=5, max_clusters=60, per_sqrt_n=(0.4, 1.0), n_candidates=8) == [5]


def test_most_stable_k_takes_a_clear_peak_and_the_middle_of_a_plateau():
    assert most_stable_k({4: [0.6, 0.62, 0.58], 6: [0.9, 0.91, 0.89], 9: [0.7, 0.72, 0.68]}) == 6
    flat = {k: [0.58, 0.62, 0.6, 0.56, 0.64] for k in (8, 11, 14, 18, 21)}
    flat[21] = [0.59, 0.63, 0.61, 0.57, 0.65]  # best by less than its standard error
    assert most_stable_k(flat) == 14


def test_ids_survive_a_second_overlapping_night():
    """Two nights sharing 80% of their comments: the known-first night keeps >= 90% of the shared comments' ids."""
    x, truth = _planted((60, 45, 30, 20, 15), 10)
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(len(x))], "text": [f"comment {i}" for i in range(len(x))],
                          "lang": "en"})
    rng = np.random.default_rng(3)
    a, b = (np.sort(rng.choice(len(x), int(0.8 * len(x)), replace=False)) for _ in range(2))
    settings = Settings()
    model = lambda: ThemeModel(spectral(), centre_languages=False, min_theme_size=5,  # noqa: E731
                               min_similarity=settings.cluster.min_similarity,
                               min_coherence=settings.cluster.min_coherence,
                               match_threshold=settings.tracking.match_threshold,
                               assign_threshold=settings.tracking.assign_threshold, full_every=7)
    first = model().fit(frame.iloc[a].reset_index(drop=True), x[a])
    second = model().fit(frame.iloc[b].reset_index(drop=True), x[b], state=first.state_)
    assert second.mode_ == "incremental"
    night1, night2 = dict(zip(a, first.labels_)), dict(zip(b, second.labels_))
    shared = [i for i in np.intersect1d(a, b) if night1[i] >= 0]
    assert np.mean([night1[i] == night2[i] for i in shared]) >= 0.9
