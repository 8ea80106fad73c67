"""Swappable embedders: every stage after this one works on the same (n, d) matrix."""
from ._base import Embedder, l2_normalise
from .cache import CachedEmbedder, EmbeddingCache
from .chunked import ChunkedEmbedder
from .fake import FakeEmbedder
from .onnx import OnnxEmbedder
from .sentence_transformers import SentenceTransformerEmbedder, resolve_model
from .use import USEEmbedder

__all__ = ["CachedEmbedder", "ChunkedEmbedder", "Embedder", "EmbeddingCache", "FakeEmbedder", "OnnxEmbedder",
           "SentenceTransformerEmbedder", "USEEmbedder", "l2_normalise", "resolve_model"]
