"""On-disk embedding cache: repeated texts cost a lookup, not a forward pass.

Keyed by (model key, sha256 of the normalised text); the value is the float32 vector. The text
itself is never stored, only its hash, so the cache holds no comment text. SQLite, because it is in
the standard library, safe for one writer at a time and measured fast enough here: a lookup of
10,000 keys takes well under a second (see bench/results/).
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
import unicodedata
from pathlib import Path

import numpy as np

from txnlp.embed._base import Embedder

log = logging.getLogger(__name__)

_LOOKUP_CHUNK = 500  # SQLite's default limit on host parameters is 999


def normalise_key_text(text: str) -> str:
    """NFC and collapsed whitespace: texts that embed the same hash the same."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_hash(text: str) -> bytes:
    return hashlib.sha256(normalise_key_text(text).encode("utf-8")).digest()


class EmbeddingCache:
    """SQLite table (model, hash) -> vector bytes.

    Args:
        path: the database file; its folder is created when missing.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._conn = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, hash BLOB NOT NULL, "
                         "vector BLOB NOT NULL, PRIMARY KEY (model, hash)) WITHOUT ROWID")
            self._conn = conn
        return self._conn

    def get(self, model: str, hashes: list[bytes]) -> dict[bytes, np.ndarray]:
        conn = self._connect()
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            part = unique[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(part))
            for h, blob in conn.execute(f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})",
                                        [model, *part]):
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, model: str, hashes: list[bytes], vectors) -> None:
        """Store one vector per hash; `vectors` is a 2-D array or a list of 1-D arrays of any lengths."""
        conn = self._connect()
        with conn:
            conn.executemany("INSERT OR REPLACE INTO vectors (model, hash, vector) VALUES (?, ?, ?)",
                             [(model, h, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                              for h, v in zip(hashes, vectors)])

    def count(self, model: str | None = None) -> int:
        conn = self._connect()
        if model is None:
            return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        return conn.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", (model,)).fetchone()[0]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class CachedEmbedder:
    """Wrap any embedder: look every text up first, encode only the misses, store them.

    Embedding, the pillar prototypes and the sentiment head all read vectors through this one
    wrapper, so a comment is encoded once per model whatever stage asks. The key includes the
    embedder's `model_id` (weights fingerprint and backend) and its prefix and max length, since
    each changes the vector.

    Attributes:
        hits_, misses_: counts of the last encode() call.
    """

    def __init__(self, embedder: Embedder, cache: EmbeddingCache):
        self.embedder = embedder
        self.cache = cache

    def __getattr__(self, name):  # prefix, batch_size, ... of the wrapped embedder
        return getattr(self.embedder, name)

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    @property
    def cache_key(self) -> str:
        e = self.embedder
        return f"{e.model_id}|prefix={getattr(e, 'prefix', '')}|max_seq={getattr(e, 'max_seq_length', '')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.embedder.encode(texts)
        key = self.cache_key
        hashes = [text_hash(t) for t in texts]
        found = self.cache.get(key, hashes)
        missing_idx: dict[bytes, int] = {}
        for i, h in enumerate(hashes):
            if h not in found and h not in missing_idx:
                missing_idx[h] = i
        if missing_idx:
            fresh = self.embedder.encode([texts[i] for i in missing_idx.values()])
            self.cache.put(key, list(missing_idx), fresh)
            found.update(zip(missing_idx, fresh))
        self.hits_ = len(texts) - len(missing_idx)
        self.misses_ = len(missing_idx)
        log.info("embedding cache: %d hits, %d encoded", self.hits_, self.misses_)
        return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)
