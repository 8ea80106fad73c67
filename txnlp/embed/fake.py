"""A deterministic, dependency-free embedder for tests: hashed character trigrams.

Texts that share words get similar vectors, so clustering and classification tests mean
something, yet nothing is downloaded and every run gives the same numbers.
"""
from __future__ import annotations

import hashlib

import numpy as np

from txnlp.embed._base import l2_normalise


class FakeEmbedder:
    def __init__(self, dim: int = 64, seed: int = 0):
        self.dim = dim
        self.seed = seed
        self.model_id = f"fake-trigram-{dim}-{seed}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {text.casefold()}  "
        for i in range(len(padded) - 2):
            h = hashlib.blake2b(f"{self.seed}:{padded[i:i + 3]}".encode(), digest_size=8).digest()
            idx = int.from_bytes(h[:4], "little") % self.dim
            vec[idx] += 1.0 if h[4] & 1 else -1.0
        if not vec.any():
            vec[0] = 1.0
        return vec

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.stack([self._vector(t) for t in texts]))
