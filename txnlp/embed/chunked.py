"""Encode in bounded chunks, longest texts together, so memory and padding stay flat in n."""
from __future__ import annotations

import numpy as np


class ChunkedEmbedder:
    """Wrap an embedder: sort the texts by length, encode `chunk_size` at a time, restore row order.

    Sorting the whole night by length (characters, a cheap proxy for tokens) before chunking means
    each batch pads to nearly its own length; the tokenizer and activations see at most one chunk,
    and a cache under this wrapper commits each chunk as it is done.
    """

    def __init__(self, embedder, chunk_size: int = 2048):
        self.embedder = embedder
        self.chunk_size = chunk_size

    def __getattr__(self, name):  # model_id, prefix, ... of the wrapped embedder
        return getattr(self.embedder, name)

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) <= self.chunk_size:
            return self.embedder.encode(texts)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = None
        for start in range(0, len(texts), self.chunk_size):
            rows = order[start:start + self.chunk_size]
            vectors = self.embedder.encode([texts[i] for i in rows])
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out
