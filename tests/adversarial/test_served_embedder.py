"""The served embedder is verified (issue 13, item 5): the files an embedder reads are hashed into its id,
once per load, and a file that differs from the sha256 recorded at rebuild or export is refused by name.

Before: a flipped byte in the exported model.onnx passed silently, with the same embedder id and so the
same embedding-cache key (the id came from the rebuild record, not from the files served).
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from tiny_encoder import build_tiny_encoder
from txnlp.embed import sentence_transformers as st_module
from txnlp.embed.cache import CachedEmbedder, EmbeddingCache
from txnlp.embed.e5_rebuild import record_served_files
from txnlp.embed.onnx import RECORD_FILE, OnnxEmbedder, export_onnx
from txnlp.embed.sentence_transformers import REBUILD_RECORD, SentenceTransformerEmbedder, served_sha256
from txnlp.embed.split_encoder import SplitEncoder
from txnlp.errors import ArtifactError
from txnlp.io import artifacts


def _flip_byte(path, at=None):
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if at is None else at
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _fake_model(folder, weights=b"\x00weights" * 100, record=True):
    """A folder shaped like a rebuilt model and its ONNX export; the bytes are not a real model (never loaded)."""
    (folder / "onnx").mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(weights)
    (folder / "tokenizer.json").write_text('{"fake": true}')
    (folder / "config.json").write_text("{}")
    (folder / "onnx" / "model.onnx").write_bytes(b"\x08onnx-graph" + weights)
    if record:
        files = served_sha256(folder, ["model.safetensors", "tokenizer.json", "config.json"])
        (folder / REBUILD_RECORD).write_text(json.dumps({"source_sha256": "ab" * 32, "files": files}))
        (folder / "onnx" / RECORD_FILE).write_text(json.dumps(
            {"weights_sha256": "ab" * 32, "files": served_sha256(folder, ["onnx/model.onnx"])}))
    return folder


@pytest.mark.parametrize("flipped", ["onnx/model.onnx", "tokenizer.json"])
def test_served_embedder_onnx_changed_file_is_refused(tmp_path, flipped):
    model = _fake_model(tmp_path / "e5")
    assert OnnxEmbedder(str(model), quantize=False).model_id.endswith("+onnx")
    _flip_byte(model / flipped)
    with pytest.raises(ArtifactError, match=f"{flipped.split('/')[-1]}: sha256 does not match"):
        OnnxEmbedder(str(model), quantize=False).model_id
    with pytest.raises(ArtifactError, match="refusing to load"):  # before onnxruntime reads a byte of it
        OnnxEmbedder(str(model), quantize=False).encode(["de app crasht"])


def test_served_embedder_torch_changed_weights_are_refused(tmp_path):
    model = _fake_model(tmp_path / "e5")
    SentenceTransformerEmbedder(str(model)).model_id
    _flip_byte(model / "model.safetensors", at=3)
    with pytest.raises(ArtifactError, match="model.safetensors: sha256 does not match"):
        SentenceTransformerEmbedder(str(model)).encode(["x"])
    with pytest.raises(ArtifactError, match="model.safetensors: sha256 does not match"):
        SplitEncoder(str(model)).model_id


def test_served_embedder_missing_recorded_file_is_refused(tmp_path):
    model = _fake_model(tmp_path / "e5")
    (model / "config.json").unlink()
    with pytest.raises(ArtifactError, match="config.json: listed in .* but missing"):
        SentenceTransformerEmbedder(str(model)).model_id


def test_served_embedder_id_and_cache_key_follow_the_file_content(tmp_path):
    """Folders txnlp did not build have no record to check against: their content still decides the id."""
    a = _fake_model(tmp_path / "a" / "e5", weights=b"one" * 100, record=False)
    b = _fake_model(tmp_path / "b" / "e5", weights=b"two" * 100, record=False)
    same = _fake_model(tmp_path / "c" / "e5", weights=b"one" * 100, record=False)
    for make in (lambda p: SentenceTransformerEmbedder(str(p)), lambda p: OnnxEmbedder(str(p), quantize=False)):
        ids = [make(p).model_id for p in (a, b, same)]
        assert ids[0] != ids[1] and ids[0] == ids[2]
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    keys = {CachedEmbedder(OnnxEmbedder(str(p), quantize=False), cache).cache_key for p in (a, b)}
    assert len(keys) == 2
    # the torch and ONNX views of one folder never share a key either
    assert SentenceTransformerEmbedder(str(a)).model_id != OnnxEmbedder(str(a), quantize=False).model_id.split("+")[0]


def test_served_embedder_hashes_each_file_once_per_load(tmp_path, monkeypatch):
    model = _fake_model(tmp_path / "e5")
    hashed = []
    real = artifacts.sha256_file
    monkeypatch.setattr(artifacts, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    embedder = OnnxEmbedder(str(model), quantize=False)
    for _ in range(3):
        embedder.model_id
    assert sorted(hashed) == ["model.onnx", "tokenizer.json"]
    hashed.clear()
    torch_embedder = SentenceTransformerEmbedder(str(model))
    torch_embedder.model_id, torch_embedder.model_id
    assert sorted(hashed) == ["config.json", "model.safetensors", "tokenizer.json"]


def test_served_embedder_old_rebuild_record_gains_the_files(tmp_path):
    """Upgrade path: a model rebuilt before txnlp recorded served files is recorded once, then checked."""
    model = _fake_model(tmp_path / "e5", record=False)
    (model / REBUILD_RECORD).write_text(json.dumps({"source_sha256": "ab" * 32}))
    record_served_files(model)
    files = json.loads((model / REBUILD_RECORD).read_text())["files"]
    assert set(files) == {"model.safetensors", "tokenizer.json", "config.json"}
    _flip_byte(model / "model.safetensors")
    with pytest.raises(ArtifactError, match="model.safetensors"):
        SentenceTransformerEmbedder(str(model)).model_id


@pytest.mark.slow
def test_served_embedder_real_export_with_a_flipped_byte_is_refused(tmp_path):
    """A real ONNX export (of the tiny test encoder): it serves, then one flipped byte is refused by name."""
    base = build_tiny_encoder(tmp_path / "tiny")
    export_onnx(base, quantize=False)
    record = json.loads((base / "onnx" / RECORD_FILE).read_text())
    assert set(record["files"]) == {"onnx/model.onnx"}
    vectors = OnnxEmbedder(str(base), quantize=False).encode(["the app is broken"])
    assert vectors.shape[0] == 1 and np.isfinite(vectors).all()
    _flip_byte(base / "onnx" / "model.onnx")
    export_onnx(base, quantize=False)  # the export is not redone: its record says these weights were exported
    with pytest.raises(ArtifactError, match="model.onnx: sha256 does not match"):
        OnnxEmbedder(str(base), quantize=False).encode(["the app is broken"])
