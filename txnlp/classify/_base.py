"""Shared pieces of the classifiers: softmax, the input and fitted-state checks, save/load of a linear head."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from txnlp.errors import ArtifactError, InputDataError, NotFittedError
from txnlp.io.artifacts import load_model_dir, save_model_dir


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


class LinearHead:
    """Save and load of a fitted linear head: `coef`/`intercept` as safetensors, the rest as JSON meta.

    One implementation for every head, so the sentiment and pillar models are checked and restored
    the same way (kind check, verified weights, `meta_` kept). A subclass names its `kind`, a
    `description` for errors, and its own state through `_saved_meta` / `_restore`.

    Attributes:
        meta_: the saved meta of a loaded model (model id, embedder, metrics, ...).
    """

    kind: str
    description: str

    def _saved_meta(self) -> dict:
        """Params and fitted state beyond classes/coef/intercept, in the order they are written."""
        raise NotImplementedError

    @classmethod
    def _init_params(cls, params: dict) -> dict:
        """Saved params -> constructor kwargs (JSON has no tuples)."""
        return params

    def _restore(self, meta: dict) -> None:
        """Set the fitted state that `_saved_meta` wrote, beyond classes/coef/intercept."""

    def save(self, directory: Path, meta: dict | None = None, card: str | None = None) -> Path:
        check_is_fitted(self, "coef_")
        info = {"kind": self.kind, "classes": self.classes_, **self._saved_meta(), **(meta or {})}
        return save_model_dir(directory, {"coef": self.coef_, "intercept": self.intercept_}, info,
                              {"README.md": card} if card else None)

    @classmethod
    def load(cls, directory: Path):
        tensors, meta = load_model_dir(directory)
        if meta.get("kind") != cls.kind:
            raise ArtifactError(f"{directory}: kind '{meta.get('kind')}' is not a {cls.description} model")
        model = cls(**cls._init_params(dict(meta.get("params", {}))))
        model.classes_ = list(meta["classes"])
        model.coef_, model.intercept_ = tensors["coef"], tensors["intercept"]
        model._restore(meta)
        model.meta_ = meta
        return model
