"""The split encoder's artifact: only the tuned layers and heads, hash-checked, tied to its base."""
from __future__ import annotations

import numpy as np
import pytest

from tiny_encoder import build_tiny_encoder
from txnlp.embed.split_encoder import SplitEncoder
from txnlp.errors import ArtifactError
from txnlp.io.artifacts import WEIGHTS, load_model_dir

TEXTS = ["the app is broken", "lovely staff, great shop", "my order was late again"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny"), max_seq_length=16)


@pytest.fixture()
def trained(base):
    import torch

    model = SplitEncoder(base, top_layers=2, max_seq_length=16, window_overlap=4).init_task_parts()
    with torch.no_grad():
        for p in list(model.tuned_.parameters()) + list(model.heads_.parameters()):
            p.add_(0.01 * torch.randn_like(p))
    model.temperatures_ = {"sentiment": 1.5, "pillar": 0.8}
    return model


def test_split_encoder_save_load_roundtrip(base, trained, tmp_path):
    trained.save(tmp_path / "m", dtype="float32")
    loaded = SplitEncoder.load(tmp_path / "m", base, max_seq_length=16, window_overlap=4)
    a, b = trained.encode_all(TEXTS), loaded.encode_all(TEXTS)
    np.testing.assert_allclose(a.sentiment_proba, b.sentiment_proba, atol=1e-6)
    np.testing.assert_allclose(a.pillar_proba, b.pillar_proba, atol=1e-6)
    assert loaded.temperatures_ == {"sentiment": 1.5, "pillar": 0.8} and loaded.top_layers == 2


def test_split_encoder_saves_only_tuned_layers_and_heads(base, trained, tmp_path):
    trained.save(tmp_path / "m")
    tensors, meta = load_model_dir(tmp_path / "m")
    assert {k.split(".")[0] for k in tensors} == {"tuned", "heads"}
    assert {k.split(".")[1] for k in tensors if k.startswith("tuned.")} == {"0", "1"}  # T=2 layers, no trunk
    assert all(v.dtype == np.float16 for k, v in tensors.items() if k.startswith("tuned."))
    assert meta["top_layers"] == 2 and meta["base_fingerprint"]
    loaded = SplitEncoder.load(tmp_path / "m", base, max_seq_length=16, window_overlap=4)
    np.testing.assert_allclose(loaded.encode_all(TEXTS).sentiment_proba, trained.encode_all(TEXTS).sentiment_proba,
                               atol=2e-3)  # fp16 weights


def test_split_encoder_refuses_tampered_weights(base, trained, tmp_path):
    trained.save(tmp_path / "m")
    path = tmp_path / "m" / WEIGHTS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="sha256"):
        SplitEncoder.load(tmp_path / "m", base)


def test_split_encoder_refuses_another_base(base, trained, tmp_path):
    trained.save(tmp_path / "m")
    other = build_tiny_encoder(tmp_path / "other", layers=3)
    with pytest.raises(ArtifactError, match="base"):
        SplitEncoder.load(tmp_path / "m", other)
