"""The number of themes from the data: the k whose clustering survives resampling best.

Why stability (Ben-Hur et al. 2002; Lange et al. 2004): a k that matches real structure gives the
same partition on two overlapping subsamples; a k that splits a theme in two, or forces two
together, flips between runs. Measured against the alternatives on three labelled sets (the
sample, `data/sample_b`, and real Deutsche Bahn feedback in `../shared/eval/themes`, README
"Themes"): the eigengap of the kNN graph picked 8/4/9 themes (ARI .55/.44/.15), HDBSCAN on the
spectral embedding left a quarter of the comments out and scored lower everywhere, an evidence-
accumulation consensus was within .02-.05 of stability; stability picked 11-14 / 9-12 / 8-9
(ARI .78/.58/.17 averaged over seeds), as good as the k=12 that had been tuned on the sample.

Every candidate k is scored on the *same* pairs of subsamples (common random numbers), so the
comparison between two k is not blurred by which rows each happened to draw.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np


def candidate_ks(n_rows: int, *, min_clusters: int, max_clusters: int, per_sqrt_n: tuple[float, float],
                 n_candidates: int) -> list[int]:
    """A geometric grid of k between `per_sqrt_n` x sqrt(n); the config's [min_clusters, max_clusters] win, and k < n."""
    high = max(2, min(max_clusters, n_rows - 1, max(min_clusters, round(per_sqrt_n[1] * math.sqrt(n_rows)))))
    low = max(2, min(max(min_clusters, round(per_sqrt_n[0] * math.sqrt(n_rows))), high))
    if high <= low:
        return [low]
    grid = np.unique(np.round(np.geomspace(low, high, n_candidates)).astype(int))
    return [int(k) for k in grid]


def stability_scores(x: np.ndarray, ks: list[int], fit_predict: Callable[[np.ndarray, int], np.ndarray], *,
                     resamples: int, fraction: float, max_rows: int, seed: int) -> dict[int, list[float]]:
    """Adjusted Rand index, per k and per pair of subsamples, between their clusterings on the shared rows.

    At most `max_rows` rows take part (a seeded sample), so choosing k costs the same on a big night.
    """
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    rows = np.arange(len(x)) if len(x) <= max_rows else np.sort(rng.choice(len(x), max_rows, replace=False))
    size = max(3, int(fraction * len(rows)))
    pairs = [(np.sort(rng.choice(rows, size, replace=False)), np.sort(rng.choice(rows, size, replace=False)))
             for _ in range(resamples)]
    scores = {}
    for k in ks:
        agreement = []
        for a, b in pairs:
            shared, in_a, in_b = np.intersect1d(a, b, return_indices=True)
            if len(shared) < 3:
                continue
            agreement.append(adjusted_rand_score(fit_predict(x[a], k)[in_a], fit_predict(x[b], k)[in_b]))
        scores[k] = [float(a) for a in agreement] or [0.0]
    return scores


def most_stable_k(scores: dict[int, list[float]]) -> int:
    """The middle of the k the resampling cannot tell from the most stable one.

    Real feedback gives a flat stability curve (0.56-0.61 over k = 8..21 on the sample): the top k
    wins by less than its own standard error, and taking it would pick an end of the range by chance.
    So every k within one standard error of the best mean counts as equally stable (the one-SE rule),
    and the median of them is taken; a clear peak is a set of one.
    """
    means = {k: float(np.mean(v)) for k, v in scores.items()}
    best = max(means, key=lambda k: (means[k], -k))
    spread = scores[best]
    se = float(np.std(spread, ddof=1) / np.sqrt(len(spread))) if len(spread) > 1 else 0.0
    near = sorted(k for k, m in means.items() if m >= means[best] - se)
    return near[(len(near) - 1) // 2]
