"""One encoder pass, two outputs: frozen theme embeddings and fine-tuned sentiment/pillar heads.

The base (multilingual-e5-small, 12 layers) is split at layer L-T. The lower L-T layers (the trunk)
are frozen and run once. The top T layers exist twice: the frozen originals, whose mean-pooled output
is exactly the sentence-transformers embedding that themes and the embedding cache use, and a
fine-tuned copy whose token states feed the task heads. A comment therefore costs L+T layers
instead of the 2L of a second encoder, and sentence-level scores come from the same token states:
a sentence's task vector is the mean over the tokens inside its character span (the fast
tokenizer's offset mapping), so no sentence is encoded a second time.

Windows: a comment longer than `max_seq_length` tokens is cut into overlapping windows on purpose
(the tokenizer's `stride`) and every window is encoded; pooled vectors are the mean over all
window tokens (a token-count-weighted mean of the window means), so the tail of a long comment
counts. For comments within one window the theme embedding equals the sentence-transformers one.

Task pooling reads the comment's own tokens only: not the "query: " prefix, not <s>/</s>. That is
what makes the pooled vector of a span covering the whole comment equal the comment's vector.

Only the tuned top layers, the heads and a meta record are stored (`save`), never the base: the
base is rebuilt at install and identified by its fingerprint, and `load` refuses another base.
"""
from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from txnlp.errors import ArtifactError, ConfigError, InputDataError, NotFittedError
from txnlp.embed._base import l2_normalise
from txnlp.embed.sentence_transformers import embedder_id, model_fingerprint

log = logging.getLogger(__name__)

KIND = "split-encoder"
SENTIMENT_CLASSES = ("negative", "neutral", "positive")
PILLAR_CLASSES = ("CX", "EX", "UX", "MX")
AUDIENCE_VALUES = ("customer", "employee")


def softmax_t(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sentiment_score(proba: np.ndarray, classes=SENTIMENT_CLASSES) -> np.ndarray:
    """P(positive) - P(negative), in [-1, 1]."""
    col = {c: i for i, c in enumerate(classes)}
    return np.clip(proba[:, col["positive"]] - proba[:, col["negative"]], -1.0, 1.0).astype(np.float32)


def adapt_priors(proba: np.ndarray, train_prior: np.ndarray | None = None, iterations: int = 100,
                 tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Re-weight calibrated probabilities to the class priors of this batch (EM, Saerens et al. 2002).

    A night's comments are mostly complaints while the heads were trained class-balanced; EM estimates
    the batch's priors from the probabilities themselves and moves each row's posterior to them.
    Needs calibrated probabilities; run it per language. Returns (adapted probabilities, estimated priors).
    """
    proba = np.asarray(proba, dtype=np.float64)
    k = proba.shape[1]
    train_prior = np.full(k, 1.0 / k) if train_prior is None else np.asarray(train_prior, np.float64)
    prior = train_prior.copy()
    adapted = proba
    for _ in range(iterations):
        adapted = proba * (prior / train_prior)
        adapted /= adapted.sum(axis=1, keepdims=True)
        new = adapted.mean(axis=0) if len(adapted) else prior
        if np.abs(new - prior).max() < tol:
            prior = new
            break
        prior = new
    return adapted.astype(np.float32), prior


def audience_block(audience, n: int, values=AUDIENCE_VALUES) -> np.ndarray:
    """One-hot audience columns for the pillar head; unknown or missing audience is all zeros."""
    block = np.zeros((n, len(values)), dtype=np.float32)
    if audience is None:
        return block
    audience = [str(a).strip().lower() for a in audience]
    if len(audience) != n:
        raise InputDataError(f"audience has {len(audience)} values for {n} texts")
    for j, value in enumerate(values):
        block[:, j] = [a == value for a in audience]
    return block


def build_heads(dim: int, n_sentiment: int, n_pillar: int, n_context: int, hidden: int = 0, dropout: float = 0.1):
    """The task heads: sentiment over the pooled task vector, pillar over it plus the audience one-hot."""
    import torch.nn as nn

    class TaskHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.dropout = nn.Dropout(dropout)
            if hidden:
                self.sentiment = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout),
                                               nn.Linear(hidden, n_sentiment))
            else:
                self.sentiment = nn.Linear(dim, n_sentiment)
            self.pillar = nn.Linear(dim + n_context, n_pillar)

        def forward(self, pooled, context):
            pooled = self.dropout(pooled)
            import torch

            return self.sentiment(pooled), self.pillar(torch.cat([pooled, context], dim=1))

    return TaskHeads()


@dataclass
class SplitOutput:
    """Everything one pass gives, in row order (spans in the order given).

    theme: (n, d) L2-normalised frozen embeddings (themes, cache). task: (n, d) pooled task vectors.
    sentiment_proba: (n, 3) calibrated, columns `sentiment_classes`. pillar_proba: (n, 4), columns
    `pillar_classes`. span_*: the same per span; `span_row` is the comment row each span belongs to.
    n_windows: (n,) windows each comment was encoded in (>1 means a long comment was chunked).
    """

    theme: np.ndarray
    task: np.ndarray
    sentiment_proba: np.ndarray
    sentiment_score: np.ndarray
    pillar_proba: np.ndarray
    span_row: np.ndarray
    span_task: np.ndarray
    span_sentiment_proba: np.ndarray
    span_sentiment_score: np.ndarray
    span_pillar_proba: np.ndarray
    n_windows: np.ndarray
    sentiment_classes: tuple[str, ...] = SENTIMENT_CLASSES
    pillar_classes: tuple[str, ...] = PILLAR_CLASSES


class SplitEncoder:
    """The base encoder plus its fine-tuned top layers and heads; see the module docstring.

    Args:
        base_path: the resolved sentence-transformers folder of the base (e.g. the rebuilt e5).
        top_layers: T, how many top layers are duplicated and fine-tuned.
        prefix: e5 expects "query: " for classification and clustering.
        max_seq_length: tokens per window (the sentence-transformers embedder's truncation length).
        window_overlap: tokens shared by consecutive windows of a long comment.
        batch_size: windows per forward pass (sorted by length, so padding stays small).
        threads: torch intra-op threads; None leaves torch's setting alone.

    Attributes:
        tuned_: the fine-tuned copy of the top T layers (torch ModuleList).
        heads_: the sentiment and pillar heads.
        temperatures_: {"sentiment": t, "pillar": t}, fitted on held-out rows.
        meta_: the meta record of a loaded model.
    """

    def __init__(self, base_path: str | Path, top_layers: int = 3, prefix: str = "query: ",
                 max_seq_length: int = 256, window_overlap: int = 32, batch_size: int = 32,
                 threads: int | None = None):
        self.base_path = base_path
        self.top_layers = top_layers
        self.prefix = prefix
        self.max_seq_length = max_seq_length
        self.window_overlap = window_overlap
        self.batch_size = batch_size
        self.threads = threads
        self._base = None
        self._tokenizer = None
        self._model_id = None

    # ---- the base ---------------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        """The theme embedder's id: the same as SentenceTransformerEmbedder's, so cached vectors stay valid.

        Hashes the base's served files once per load (`embedder_id`); a changed one is refused.
        """
        if self._model_id is None:
            self._model_id = embedder_id(self.base_path)
        return self._model_id

    @property
    def tasks_id(self) -> str:
        """Identity of the task outputs: the base, the tuned weights and heads, temperatures and windowing.

        Computed from the loaded tensors themselves (not the file manifest), so a model trained in this
        process and one loaded from disk get the same id exactly when they give the same outputs.
        """
        import hashlib

        self._check_fitted()
        digest = hashlib.sha256()
        for module in (self.tuned_, self.heads_):
            for name, tensor in module.state_dict().items():
                digest.update(name.encode())
                digest.update(tensor.detach().cpu().numpy().astype(np.float32).tobytes())
        digest.update(json.dumps(self.temperatures_, sort_keys=True).encode())
        return (f"{self.model_id}|tasks={digest.hexdigest()[:16]}|max_seq={self.max_seq_length}"
                f"|overlap={self.window_overlap}|prefix={self.prefix}")

    def _load_base(self):
        if self._base is None:
            import torch
            from transformers import AutoModel, AutoTokenizer

            if self.threads:
                torch.set_num_threads(self.threads)
            _ = self.model_id  # hash and check the base's served files before they are read
            try:
                self._tokenizer = AutoTokenizer.from_pretrained(str(self.base_path))
                self._base = AutoModel.from_pretrained(str(self.base_path)).eval()
            except Exception as exc:
                raise ArtifactError(f"cannot load base encoder '{self.base_path}': {type(exc).__name__}: {exc}") from exc
            for p in self._base.parameters():
                p.requires_grad_(False)
            n = self.n_layers
            if not 1 <= self.top_layers < n:
                raise ConfigError(f"top_layers={self.top_layers} must be in 1..{n - 1} for a {n}-layer base")
            if self.window_overlap >= self.max_seq_length - 2 or self.window_overlap < 0:
                raise ConfigError(f"window_overlap={self.window_overlap} must be in 0..{self.max_seq_length - 3}")
        return self._base

    @property
    def base_(self):
        return self._load_base()

    @property
    def tokenizer_(self):
        self._load_base()
        return self._tokenizer

    @property
    def n_layers(self) -> int:
        return len(self._load_base().encoder.layer)

    @property
    def dim(self) -> int:
        return int(self._load_base().config.hidden_size)

    @property
    def split_at(self) -> int:
        """Index of the first duplicated layer: the trunk is layers [0, split_at)."""
        return self.n_layers - self.top_layers

    def init_task_parts(self, head_hidden: int = 0, dropout: float = 0.1) -> "SplitEncoder":
        """Fresh tuned layers (copies of the base's top T) and fresh heads, for training from the base."""
        base = self._load_base()
        self.tuned_ = copy.deepcopy(base.encoder.layer[self.split_at:])
        for p in self.tuned_.parameters():
            p.requires_grad_(True)
        self.heads_ = build_heads(self.dim, len(SENTIMENT_CLASSES), len(PILLAR_CLASSES), len(AUDIENCE_VALUES),
                                  hidden=head_hidden, dropout=dropout)
        self.head_hidden_ = head_hidden
        self.temperatures_ = {"sentiment": 1.0, "pillar": 1.0}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "tuned_"):
            raise NotFittedError("SplitEncoder has no task layers: call init_task_parts() and train, or load()")

    # ---- forward pieces (shared with training) -----------------------------------------------
    def attention_mask_for(self, hidden, mask):
        """The base's own attention-mask format for these states (depends on the attention implementation)."""
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self.base_.config, inputs_embeds=hidden, attention_mask=mask)

    def run_trunk(self, input_ids, mask):
        """Embeddings and the frozen layers [0, split_at): the part shared by both outputs."""
        base = self.base_
        hidden = base.embeddings(input_ids=input_ids)
        attn = self.attention_mask_for(hidden, mask)
        for layer in base.encoder.layer[:self.split_at]:
            hidden = layer(hidden, attn)
        return hidden, attn

    @staticmethod
    def run_layers(layers, hidden, attn):
        for layer in layers:
            hidden = layer(hidden, attn)
        return hidden

    def content_mask(self, offsets: np.ndarray) -> np.ndarray:
        """Tokens of the comment itself: they end past the prefix and are not special (empty offset)."""
        start, end = offsets[..., 0], offsets[..., 1]
        return (end > len(self.prefix)) & (end > start)

    # ---- tokenising into windows ------------------------------------------------------------
    def _windows(self, texts: list[str]):
        enc = self.tokenizer_([self.prefix + t for t in texts], truncation=True, max_length=self.max_seq_length,
                              stride=self.window_overlap, return_overflowing_tokens=True,
                              return_offsets_mapping=True, padding=False)
        owner = np.asarray(enc["overflow_to_sample_mapping"], dtype=np.int64)
        ids = [np.asarray(x, dtype=np.int64) for x in enc["input_ids"]]
        offsets = [np.asarray(x, dtype=np.int64).reshape(-1, 2) for x in enc["offset_mapping"]]
        return owner, ids, offsets

    # ---- public API -------------------------------------------------------------------------
    def encode(self, texts: list[str]) -> np.ndarray:
        """Theme embeddings only (the Embedder protocol): trunk + frozen top, no task layers."""
        return self._run(list(texts), spans=None, audience=None, with_tasks=False).theme

    def encode_all(self, texts: list[str], spans=None, audience=None) -> SplitOutput:
        """One pass: theme embeddings, comment-level task outputs and span-level task outputs.

        Args:
            texts: the comments (without the prefix).
            spans: optional (row, start, end) character spans into `texts[row]`, e.g. sentences; their
                task vectors are pooled from the comment's own token states.
            audience: optional per-comment "customer"/"employee" for the pillar head.
        """
        self._check_fitted()
        return self._run(list(texts), spans=spans, audience=audience, with_tasks=True)

    def _check_spans(self, spans, texts) -> np.ndarray:
        if spans is None:
            return np.zeros((0, 3), dtype=np.int64)
        spans = np.asarray(spans, dtype=np.int64).reshape(-1, 3)
        rows, start, end = spans[:, 0], spans[:, 1], spans[:, 2]
        bad = np.flatnonzero((rows < 0) | (rows >= len(texts)) | (start < 0) | (end < start))
        if len(bad):
            raise InputDataError(f"spans {bad[:10].tolist()} are not (row, start, end) with 0 <= row < {len(texts)}, "
                                 "0 <= start <= end")
        return spans

    def _run(self, texts: list[str], spans, audience, with_tasks: bool) -> SplitOutput:
        import torch

        spans = self._check_spans(spans, texts)
        n, m, d = len(texts), len(spans), self.dim
        theme_sum, theme_n = np.zeros((n, d), np.float64), np.zeros(n, np.float64)
        task_sum, task_n = np.zeros((n, d), np.float64), np.zeros(n, np.float64)
        span_sum, span_n = np.zeros((m, d), np.float64), np.zeros(m, np.float64)
        n_windows = np.zeros(n, np.int64)
        if n:
            owner, ids, offsets = self._windows(texts)
            np.add.at(n_windows, owner, 1)
            spans_of: dict[int, list[int]] = {}
            for j, row in enumerate(spans[:, 0]):
                spans_of.setdefault(int(row), []).append(j)
            p = len(self.prefix)
            order = np.argsort([-len(x) for x in ids], kind="stable")
            base = self.base_
            if with_tasks:
                self.tuned_.eval()
            pad = base.config.pad_token_id if base.config.pad_token_id is not None else 0
            with torch.inference_mode():
                for b0 in range(0, len(order), self.batch_size):
                    rows = order[b0:b0 + self.batch_size]
                    width = max(len(ids[r]) for r in rows)
                    batch_ids = np.full((len(rows), width), pad, dtype=np.int64)
                    mask = np.zeros((len(rows), width), dtype=np.int64)
                    offs = np.zeros((len(rows), width, 2), dtype=np.int64)
                    for i, r in enumerate(rows):
                        batch_ids[i, :len(ids[r])], mask[i, :len(ids[r])], offs[i, :len(ids[r])] = ids[r], 1, offsets[r]
                    hidden, attn = self.run_trunk(torch.from_numpy(batch_ids), torch.from_numpy(mask))
                    theme = self.run_layers(base.encoder.layer[self.split_at:], hidden, attn).double().numpy()
                    who = owner[rows]
                    np.add.at(theme_sum, who, (theme * mask[..., None]).sum(axis=1))
                    np.add.at(theme_n, who, mask.sum(axis=1))
                    if not with_tasks:
                        continue
                    task = self.run_layers(self.tuned_, hidden, attn).double().numpy()
                    content = self.content_mask(offs) & (mask > 0)
                    np.add.at(task_sum, who, (task * content[..., None]).sum(axis=1))
                    np.add.at(task_n, who, content.sum(axis=1))
                    for i, o in enumerate(who):
                        for j in spans_of.get(int(o), ()):
                            inside = content[i] & (offs[i, :, 0] < spans[j, 2] + p) & (offs[i, :, 1] > spans[j, 1] + p)
                            if inside.any():
                                span_sum[j] += task[i][inside].sum(axis=0)
                                span_n[j] += inside.sum()
        theme = l2_normalise((theme_sum / np.maximum(theme_n, 1)[:, None]).astype(np.float32))
        if not with_tasks:
            empty = np.zeros((0,), np.float32)
            return SplitOutput(theme, empty, empty, empty, empty, spans[:, 0], empty, empty, empty, empty, n_windows)
        # A comment with no tokens of its own (empty text) falls back to the theme vector's pooling of nothing: zeros.
        task_vec = (task_sum / np.maximum(task_n, 1)[:, None]).astype(np.float32)
        span_vec = (span_sum / np.maximum(span_n, 1)[:, None]).astype(np.float32)
        empty_spans = span_n == 0  # a span over whitespace only: it takes its comment's vector
        span_vec[empty_spans] = task_vec[spans[empty_spans, 0]]
        s_proba, p_proba = self.head_proba(task_vec, audience_block(audience, n))
        span_aud = None if audience is None else [list(audience)[r] for r in spans[:, 0]]
        ss_proba, sp_proba = self.head_proba(span_vec, audience_block(span_aud, m))
        return SplitOutput(theme, task_vec, s_proba, sentiment_score(s_proba), p_proba, spans[:, 0], span_vec,
                           ss_proba, sentiment_score(ss_proba), sp_proba, n_windows)

    def head_logits(self, pooled: np.ndarray, context: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated logits of both heads for pooled task vectors (numpy in, numpy out)."""
        import torch

        self._check_fitted()
        self.heads_.eval()
        with torch.inference_mode():
            s, p = self.heads_(torch.from_numpy(np.ascontiguousarray(pooled, np.float32)),
                               torch.from_numpy(np.ascontiguousarray(context, np.float32)))
        return s.numpy(), p.numpy()

    def head_proba(self, pooled: np.ndarray, context: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities of both heads."""
        if not len(pooled):
            return (np.zeros((0, len(SENTIMENT_CLASSES)), np.float32), np.zeros((0, len(PILLAR_CLASSES)), np.float32))
        s, p = self.head_logits(pooled, context)
        return (softmax_t(s, self.temperatures_["sentiment"]).astype(np.float32),
                softmax_t(p, self.temperatures_["pillar"]).astype(np.float32))

    # ---- artifact ---------------------------------------------------------------------------
    def save(self, directory: Path, meta: dict | None = None, card: str | None = None, dtype: str = "float16") -> Path:
        """Write the tuned layers (as `dtype`), the heads (float32) and meta with the base's fingerprint."""
        from txnlp.io.artifacts import save_model_dir

        self._check_fitted()
        tensors = {f"tuned.{k}": v.detach().cpu().numpy().astype(dtype) for k, v in self.tuned_.state_dict().items()}
        tensors.update({f"heads.{k}": v.detach().cpu().numpy().astype(np.float32)
                        for k, v in self.heads_.state_dict().items()})
        info = {"kind": KIND, "base": Path(self.base_path).name, "base_fingerprint": model_fingerprint(str(self.base_path)),
                "base_layers": self.n_layers, "hidden_size": self.dim, "top_layers": self.top_layers,
                "prefix": self.prefix, "head_hidden": self.head_hidden_, "weights_dtype": dtype,
                "sentiment_classes": list(SENTIMENT_CLASSES), "pillar_classes": list(PILLAR_CLASSES),
                "audience_values": list(AUDIENCE_VALUES), "temperatures": dict(self.temperatures_), **(meta or {})}
        return save_model_dir(directory, tensors, info, {"README.md": card} if card else None)

    @classmethod
    def load(cls, directory: Path, base_path: str | Path, **serving) -> "SplitEncoder":
        """A saved model on its base; refuses a tampered file (hashes), another kind or another base.

        `serving` overrides max_seq_length, window_overlap, batch_size, threads.
        """
        import torch

        from txnlp.io.artifacts import load_model_dir

        tensors, meta = load_model_dir(Path(directory))
        if meta.get("kind") != KIND:
            raise ArtifactError(f"{directory}: kind '{meta.get('kind')}' is not a {KIND} model")
        found = model_fingerprint(str(base_path))
        if found != meta.get("base_fingerprint"):
            raise ArtifactError(f"{directory}: trained on base {meta.get('base')}@{meta.get('base_fingerprint')}, "
                                f"but the base at {base_path} is @{found}; rebuild the base or retrain")
        if tuple(meta["sentiment_classes"]) != SENTIMENT_CLASSES or tuple(meta["pillar_classes"]) != PILLAR_CLASSES:
            raise ArtifactError(f"{directory}: label sets {meta['sentiment_classes']}/{meta['pillar_classes']} unknown")
        model = cls(base_path, top_layers=int(meta["top_layers"]), prefix=meta["prefix"], **serving)
        if model.n_layers != int(meta["base_layers"]) or model.dim != int(meta["hidden_size"]):
            raise ArtifactError(f"{directory}: base shape {model.n_layers}x{model.dim} != saved "
                                f"{meta['base_layers']}x{meta['hidden_size']}")
        model.init_task_parts(head_hidden=int(meta.get("head_hidden", 0)))
        try:
            model.tuned_.load_state_dict({k[len("tuned."):]: torch.from_numpy(v.astype(np.float32))
                                          for k, v in tensors.items() if k.startswith("tuned.")})
            model.heads_.load_state_dict({k[len("heads."):]: torch.from_numpy(v.astype(np.float32))
                                          for k, v in tensors.items() if k.startswith("heads.")})
        except RuntimeError as exc:
            raise ArtifactError(f"{directory}: weights do not fit the model ({exc})") from None
        model.tuned_.eval()
        model.temperatures_ = {k: float(v) for k, v in meta["temperatures"].items()}
        model.meta_ = meta
        return model
