"""Embedding in chunks that any task runner can map over workers: plan, embed one chunk, gather.

Each chunk task encodes its rows with the configured embedder (itself a ChunkedEmbedder), and the
row ranges are `chunk_ranges`, so this adds only the hand-over between processes, not a second loop.

No Dask or Prefect import here: the flow (pipelines/nightly.py) maps `embed_chunk` over a Dask
cluster through prefect-dask; a notebook can call the same three functions in a loop. Chunks hand
over .npy files under the stage folder, not arrays or frames, so the stage folder must be on storage
every worker can reach when the cluster spans machines (see docs/scale.md).
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from txnlp import vocab as V
from txnlp.config import Settings
from txnlp.embed.chunked import chunk_ranges
from txnlp.embed.factory import build_embedder
from txnlp.errors import InputDataError

log = logging.getLogger(__name__)

EMBEDDINGS_DIR = "embeddings"
_EMBEDDERS: dict[str, object] = {}  # one loaded model per worker process and embed config


def plan_chunks(stage_dir: Path, chunk_rows: int) -> list[tuple[int, int]]:
    """Row ranges [start, stop) of the staged rows, `chunk_rows` each."""
    from txnlp.runner import STAGED

    return chunk_ranges(pq.ParquetFile(Path(stage_dir) / STAGED).metadata.num_rows, chunk_rows)


def _embedder(settings: Settings):
    key = json.dumps(settings.embed.model_dump(mode="json"), sort_keys=True)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = build_embedder(settings.embed)
    return _EMBEDDERS[key]


def embed_chunk(stage_dir: Path, start: int, stop: int, settings: Settings) -> Path:
    """Embed staged rows [start, stop) and write them to `<stage_dir>/embeddings/rows-START-STOP.npy`."""
    from txnlp.runner import STAGED

    if not 0 <= start < stop:
        raise InputDataError(f"chunk [{start}, {stop}) of {stage_dir} is empty or negative")
    table = pq.read_table(Path(stage_dir) / STAGED, columns=[V.TEXT])
    texts = table.slice(start, stop - start).column(V.TEXT).to_pylist()
    vectors = _embedder(settings).encode(texts)
    out_dir = Path(stage_dir) / EMBEDDINGS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"rows-{start:010d}-{stop:010d}.npy"
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, vectors.astype(np.float32))
    os.replace(tmp, path)
    log.info("embedded rows %d-%d (pid %d)", start, stop, os.getpid())
    return path


def gather_embeddings(paths: list[str | Path]) -> np.ndarray:
    """Concatenate chunk files in row order; checks the ranges tile 0..n without gaps."""
    ordered = sorted(Path(p) for p in paths)
    expected = 0
    for p in ordered:
        start, stop = (int(x) for x in p.stem.split("-")[1:3])
        if start != expected:
            raise InputDataError(f"embedding chunks leave a gap: expected rows from {expected}, got {p.name}")
        expected = stop
    if not ordered:
        raise InputDataError("no embedding chunks to gather")
    return np.concatenate([np.load(p) for p in ordered], axis=0)
