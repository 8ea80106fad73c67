"""Encode in bounded chunks, longest texts together, so memory and padding stay flat in n.

The one chunking loop of txnlp: the configured embedder is wrapped in it (`embed.chunk_size`),
the CLI's progress bars are this wrapper with a callback (`txnlp.progress.with_progress`), and the
Dask flow's row ranges come from the same `chunk_ranges` (`embed.distributed.plan_chunks`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from txnlp.embed._base import Embedder

if TYPE_CHECKING:
    from txnlp.progress import ProgressCallback


def chunk_ranges(n: int, size: int) -> list[tuple[int, int]]:
    """Row ranges [start, stop) that tile 0..n, `size` rows each (the last one shorter)."""
    return [(start, min(start + size, n)) for start in range(0, n, size)]


class ChunkedEmbedder:
    """Wrap an embedder: sort the texts by length, encode `chunk_size` at a time, restore row order.

    Sorting the whole night by length (characters, a cheap proxy for tokens) before chunking means
    each batch pads to nearly its own length; the tokenizer and activations see at most one chunk,
    and a cache under this wrapper commits each chunk as it is done. Chunks only split the list:
    each text is encoded as by the wrapped embedder.

    Args:
        progress: called as `progress(step, rows done, rows total)` before the first chunk and after each.
    """

    def __init__(self, embedder: Embedder, chunk_size: int, progress: ProgressCallback | None = None,
                 step: str = "embed"):
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.progress = progress
        self.step = step

    def __getattr__(self, name):  # model_id, prefix, ... of the wrapped embedder
        return getattr(self.embedder, name)

    def _notify(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(self.step, done, total)

    def encode(self, texts: list[str]) -> np.ndarray:
        total = len(texts)
        self._notify(0, total)
        if total <= self.chunk_size:
            out = self.embedder.encode(texts)
            self._notify(total, total)
            return out
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = None
        for start, stop in chunk_ranges(total, self.chunk_size):
            rows = order[start:stop]
            vectors = self.embedder.encode([texts[i] for i in rows])
            if out is None:
                out = np.empty((total, vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
            self._notify(stop, total)
        return out
