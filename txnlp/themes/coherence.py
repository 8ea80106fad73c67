"""How tight a theme is, against what a random set of as many comments would give.

A cluster algorithm always returns clusters; some are a real pain point, some are left-overs
glued together ("canteen / confidence / counter"). The mean resultant length R of a theme's unit
vectors (the length of their mean; the mean cosine of the members to the mean direction, times R)
grows with how alike they are, but also shrinks with size for random sets: m random unit vectors
of a corpus with mean vector mu have E[R^2] = |mu|^2 + (1 - |mu|^2) / m. The score rescales R so
that a random set of the same size scores 0 and identical comments score 1:

    coherence = (R - b) / (1 - b),  b = sqrt(|mu|^2 + (1 - |mu|^2) / m)
"""
from __future__ import annotations

import numpy as np


def theme_coherence(x: np.ndarray, labels: np.ndarray) -> dict[int, float]:
    """Coherence per theme id (>= 0) of unit rows `x` labelled `labels`; -1 (unthemed) is left out."""
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    if not len(x):
        return {}
    mu2 = float(np.sum(x.mean(axis=0) ** 2))
    out = {}
    for theme in sorted(int(t) for t in set(labels.tolist()) if t >= 0):
        members = x[labels == theme]
        m = len(members)
        r = float(np.linalg.norm(members.mean(axis=0)))
        base = np.sqrt(mu2 + (1 - mu2) / m)
        out[theme] = round(float((r - base) / (1 - base)) if base < 1 else 0.0, 4)
    return out
