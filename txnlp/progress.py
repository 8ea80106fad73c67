"""Progress reporting for long stages, as a plain callback: the library never draws anything.

A callback is `progress(step, done, total)`. The CLI passes one that drives rich progress bars; a
notebook or a flow passes none (the default), and nothing is reported.
"""
from __future__ import annotations

from typing import Callable, Optional

from txnlp.embed._base import Embedder
from txnlp.embed.chunked import ChunkedEmbedder

ProgressCallback = Callable[[str, int, int], None]

PROGRESS_CHUNK = 256  # rows between two progress reports while embedding


def notify(progress: Optional[ProgressCallback], step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


def with_progress(embedder: Embedder, progress: ProgressCallback, step: str = "embed",
                  chunk_size: int = PROGRESS_CHUNK) -> ChunkedEmbedder:
    """`embedder`, encoding `chunk_size` rows at a time and reporting (step, rows done, rows total) after each.

    The chunked embedder with a callback, so the bars and the memory bound share one loop; chunks
    only split the list, so the vectors are those of `embedder`.
    """
    return ChunkedEmbedder(embedder, chunk_size, progress=progress, step=step)
