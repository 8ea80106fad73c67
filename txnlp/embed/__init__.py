"""Swappable embedders: every stage after this one works on the same (n, d) matrix."""
from ._base import Embedder, l2_normalise
from .fake import FakeEmbedder
from .sentence_transformers import SentenceTransformerEmbedder, resolve_model
from .use import USEEmbedder

__all__ = ["Embedder", "FakeEmbedder", "SentenceTransformerEmbedder", "USEEmbedder", "l2_normalise", "resolve_model"]
