"""ONNX Runtime backend vs torch on the real model: same vectors (cosine), and the cache keeps them apart."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from txnlp.config import Settings
from txnlp.embed.onnx import OnnxEmbedder, export_onnx
from txnlp.embed.sentence_transformers import SentenceTransformerEmbedder, resolve_model

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_embed_onnx_matches_torch_on_sample():
    settings = Settings()
    model_dir = resolve_model(settings.embed.model, settings.embed.cache_dir)
    export_onnx(model_dir, quantize=False)
    texts = pd.read_csv(REPO / "data" / "sample" / "customers_ru_en.csv")["text"].astype(str).tolist()[:48]
    torch_vecs = SentenceTransformerEmbedder(model_dir).encode(texts)
    onnx = OnnxEmbedder(model_dir, quantize=False)
    onnx_vecs = onnx.encode(texts)
    cos = (torch_vecs * onnx_vecs).sum(axis=1)
    assert cos.min() > 0.999
    assert onnx.model_id.endswith("+onnx") and onnx.model_id != SentenceTransformerEmbedder(model_dir).model_id
    np.testing.assert_allclose(np.linalg.norm(onnx_vecs, axis=1), 1.0, atol=1e-5)
