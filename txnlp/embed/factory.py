"""Build the configured embedders (shared encoder and USE): backend, threads, chunking and cache, in one place."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from txnlp.embed.cache import CachedEmbedder, EmbeddingCache
from txnlp.embed.chunked import ChunkedEmbedder
from txnlp.embed.fake import FakeEmbedder
from txnlp.embed.use import USEEmbedder

log = logging.getLogger(__name__)

CACHE_FILE = "embeddings.sqlite"
USE_THREADS = 2  # when embed.threads is unset


def cache_path_for(embed_settings) -> Path:
    e = embed_settings
    return Path(e.cache_path) if e.cache_path is not None else Path(e.cache_dir) / CACHE_FILE


def build_embedder(embed_settings, *, use_cache: bool | None = None):
    """Embedder for `settings.embed`: torch or ONNX Runtime, threads set, chunked, cached unless fake.

    Threads default to every core: the forward pass is the run's time, and a nightly job has the
    machine to itself. The fake embedder is never cached (it is cheaper than the lookup).
    """
    from txnlp.embed.sentence_transformers import SentenceTransformerEmbedder, resolve_model

    e = embed_settings
    if e.kind == "fake":
        return FakeEmbedder()
    threads = e.threads or os.cpu_count() or 1
    path = resolve_model(e.model, e.cache_dir)
    if e.backend == "torch":
        base = SentenceTransformerEmbedder(path, prefix=e.prefix, batch_size=e.batch_size,
                                           max_seq_length=e.max_seq_length, device=e.device, threads=threads)
    else:
        from txnlp.embed.onnx import OnnxEmbedder, export_onnx

        quantize = e.backend == "onnx-int8"
        export_onnx(path, quantize=quantize)  # no-op when the export for these weights exists
        base = OnnxEmbedder(path, prefix=e.prefix, batch_size=e.batch_size, max_seq_length=e.max_seq_length,
                            quantize=quantize, threads=threads)
    cache = build_cache(e, use_cache)
    if cache is not None:
        base = CachedEmbedder(base, cache)
    return ChunkedEmbedder(base, chunk_size=e.chunk_size)


def build_cache(embed_settings, enabled: bool | None = None) -> EmbeddingCache | None:
    """The run's vector cache, shared by the embedder, USE and the fine-tuned tagger; None when off.

    `enabled` overrides `embed.cache` (the benchmark's cold run); the fake embedder is never cached.
    """
    e = embed_settings
    on = e.cache if enabled is None else enabled
    return EmbeddingCache(cache_path_for(e)) if on and e.kind != "fake" else None


def build_use_embedder(embed_settings) -> USEEmbedder:
    """The USE embedder (sentiment features, second theme view) for `settings.embed`; loads when first used.

    Threads follow `embed.threads`, else 2 rather than every core: USE is the smaller model, and it
    runs beside the shared encoder, which takes the machine. Cached like the main embedder.
    """
    use = USEEmbedder(threads=embed_settings.threads or USE_THREADS)
    cache = build_cache(embed_settings)
    return use if cache is None else CachedEmbedder(use, cache)  # a rerun reads its vectors, as e5's
