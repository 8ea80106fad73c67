"""Swappable embedders: every stage after this one works on the same (n, d) matrix."""
from txnlp.embed._base import Embedder, l2_normalise
from txnlp.embed.cache import CachedEmbedder, EmbeddingCache
from txnlp.embed.chunked import ChunkedEmbedder
from txnlp.embed.fake import FakeEmbedder
from txnlp.embed.onnx import OnnxEmbedder
from txnlp.embed.sentence_transformers import SentenceTransformerEmbedder, resolve_model
from txnlp.embed.use import USEEmbedder

__all__ = ["CachedEmbedder", "ChunkedEmbedder", "Embedder", "EmbeddingCache", "FakeEmbedder", "OnnxEmbedder",
           "SentenceTransformerEmbedder", "USEEmbedder", "l2_normalise", "resolve_model"]
