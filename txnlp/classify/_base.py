"""Shared pieces of the classifiers: softmax and the fitted-state check."""
from __future__ import annotations

import numpy as np

from txnlp.errors import InputDataError, NotFittedError


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def check_is_fitted(estimator, attribute: str) -> None:
    if not hasattr(estimator, attribute):
        raise NotFittedError(f"{type(estimator).__name__} is not fitted yet: call fit() or load() first")


def check_embeddings(embeddings: np.ndarray, n_rows: int | None = None, dim: int | None = None) -> np.ndarray:
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2:
        raise InputDataError(f"embeddings must be 2-D, got shape {embeddings.shape}")
    if n_rows is not None and embeddings.shape[0] != n_rows:
        raise InputDataError(f"embeddings have {embeddings.shape[0]} rows, frame has {n_rows}")
    if dim is not None and embeddings.shape[1] != dim:
        raise InputDataError(f"embeddings have dim {embeddings.shape[1]}, the model expects {dim}")
    return embeddings
