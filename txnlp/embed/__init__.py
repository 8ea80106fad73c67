"""Swappable embedders: every stage after this one works on the same (n, d) matrix."""
from ._base import Embedder, l2_normalise
from .fake import FakeEmbedder
from .sentence_transformers import SentenceTransformerEmbedder, resolve_model

__all__ = ["Embedder", "FakeEmbedder", "SentenceTransformerEmbedder", "l2_normalise", "resolve_model"]
