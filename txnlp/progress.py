"""Progress reporting for long stages, as a plain callback: the library never draws anything.

A callback is `progress(step, done, total)`. The CLI passes one that drives rich progress bars; a
notebook or a flow passes none (the default), and nothing is reported.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

ProgressCallback = Callable[[str, int, int], None]


def notify(progress: Optional[ProgressCallback], step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


class ProgressEmbedder:
    """Wrap an embedder: encode in chunks and report ("embed", rows done, rows total) after each chunk.

    Chunks only split the list; each text is encoded exactly as by the wrapped embedder.
    """

    def __init__(self, embedder, progress: ProgressCallback, step: str = "embed", chunk_size: int = 256):
        self.embedder = embedder
        self.progress = progress
        self.step = step
        self.chunk_size = chunk_size

    def __getattr__(self, name):  # model_id, prefix, dim ... of the wrapped embedder
        return getattr(self.embedder, name)

    def encode(self, texts: list[str]) -> np.ndarray:
        total = len(texts)
        self.progress(self.step, 0, total)
        if total <= self.chunk_size:
            out = self.embedder.encode(texts)
            self.progress(self.step, total, total)
            return out
        parts = []
        for start in range(0, total, self.chunk_size):
            parts.append(self.embedder.encode(texts[start:start + self.chunk_size]))
            self.progress(self.step, min(start + self.chunk_size, total), total)
        return np.concatenate(parts, axis=0)
