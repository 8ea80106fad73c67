"""The fine-tuned champion as a pipeline stage: one encoder pass gives everything the model half reads.

With a `SplitEncoder` champion the comments are encoded once (`SplitEncoder.encode_all`): the
frozen top layers give the theme embeddings (the same vectors the sentence-transformers embedder
gives, so the embedding cache and theme state stay valid), the fine-tuned top layers give comment
sentiment and pillar, and each sentence's scores are pooled from the comment's own token states
over the sentence's character span. No sentence and no comment is encoded a second time.

A comment longer than the window is encoded in overlapping windows and pooled over all of them,
so the comment-level figures already read its whole text (no long-text fallback through sentences).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.embed.cache import CachedEmbedder, EmbeddingCache
from txnlp.embed.split_encoder import PILLAR_CLASSES, SENTIMENT_CLASSES, SplitEncoder
from txnlp.text.sentences import SentenceSplitter, mixed_flags

log = logging.getLogger(__name__)


@dataclass
class EncodedComments:
    """What one pass gives, in the frame's row order.

    embeddings: (n, d) theme embeddings. comments: sentiment, pillar and score columns, and `mixed`
    (index = comment ids). sentences: one row per sentence (V.SENTENCE_COLUMNS), or None.
    """

    embeddings: np.ndarray
    comments: pd.DataFrame
    sentences: pd.DataFrame | None


class FineTunedTagger:
    """Pipeline stage around a fine-tuned `SplitEncoder`: theme embeddings, sentiment, pillar, sentences.

    It is also the run's embedder (`encode`, `model_id`), so theme phrases are embedded by the same
    loaded model: nothing loads the base a second time.

    Args:
        encoder: a loaded SplitEncoder (`SplitEncoder.load`).
        splitter: the sentence splitter; None skips sentence rows and the mixed flag.
        mixed_threshold: a comment is mixed when one sentence has P(positive) >= this and another P(negative) >= this.
        chunk_size: comments per `encode_all` call, so progress is heard and memory stays flat.
        progress: optional `progress(step, done, total)` callback.
        cache: optional store of each comment's whole result (the embedding cache's database), so a rerun
            or a repeated comment costs a lookup; keyed by the tuned weights, the text, its audience and its sentence spans.
    """

    name = "encode"

    def __init__(self, encoder: SplitEncoder, splitter: SentenceSplitter | None = None, mixed_threshold: float = 0.6,
                 chunk_size: int = 2048, progress=None, cache: EmbeddingCache | None = None):
        self.encoder = encoder
        self.cache = cache
        self.splitter = splitter
        self.mixed_threshold = mixed_threshold
        self.chunk_size = chunk_size
        self.progress = progress

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def encode(self, texts: list[str]) -> np.ndarray:
        """Theme embeddings only (the Embedder protocol), for texts that are not comments (theme phrases)."""
        if self.cache is None:
            return self.encoder.encode(list(texts))
        return CachedEmbedder(self.encoder, self.cache).encode(list(texts))  # same key as the base embedder's

    def __call__(self, frame: pd.DataFrame) -> EncodedComments:
        frame = frame.reset_index(drop=True)
        texts = frame[V.TEXT].astype(str).tolist()
        langs = frame[V.LANG].astype(str).tolist() if V.LANG in frame else ["und"] * len(frame)
        audience = frame[V.AUDIENCE].astype(str).tolist() if V.AUDIENCE in frame else [""] * len(frame)
        row_spans = [[] if self.splitter is None else self.splitter.spans(text, lang)
                     for text, lang in zip(texts, langs)]
        keys = [_row_key(text, aud, sp) for text, aud, sp in zip(texts, audience, row_spans)]
        cache_key = None if self.cache is None else self.cache_key  # hashes the tuned weights: once per call
        found = {} if self.cache is None else self.cache.get(cache_key, keys)
        first_row: dict[bytes, int] = {}
        for row, key in enumerate(keys):
            if key not in found:
                first_row.setdefault(key, row)  # a repeated comment is encoded once
        todo = list(first_row.values())
        if todo:
            fresh = self._encode([texts[i] for i in todo], [row_spans[i] for i in todo],
                                 None if V.AUDIENCE not in frame else [audience[i] for i in todo])
            if self.cache is not None:
                self.cache.put(cache_key, [keys[i] for i in todo], fresh)
            found.update(zip((keys[i] for i in todo), fresh))
        if self.cache is not None:
            log.info("encode cache: %d comments found, %d encoded", len(texts) - len(todo), len(todo))
        out = _unpack([found[k] for k in keys], [len(sp) for sp in row_spans])
        spans = np.asarray([(row, s, e) for row, sp in enumerate(row_spans) for s, e in sp],
                           dtype=np.int64).reshape(-1, 3)
        n_long = int((out["n_windows"] > 1).sum())
        if n_long:
            log.info("encode: %d long comments read in several windows (pooled, not cut)", n_long)
        comments = self._comment_columns(frame, out, spans)
        sentences = None if self.splitter is None else self._sentence_rows(frame, texts, spans, out)
        log.info("encode: %d comments, %d sentences in one pass", len(frame), len(spans))
        return EncodedComments(out["theme"], comments, sentences)

    @property
    def cache_key(self) -> str:
        return f"tagger|{self.encoder.tasks_id}"  # the spans are in each row's key

    def _encode(self, texts: list[str], row_spans: list, audience: list[str] | None) -> list[np.ndarray]:
        """The encoder pass over `texts` in chunks; one packed vector per comment (see `_pack`)."""
        packed = []
        for c0 in range(0, len(texts), self.chunk_size):
            c1 = min(c0 + self.chunk_size, len(texts))
            local = np.asarray([(row - c0, s, e) for row in range(c0, c1) for s, e in row_spans[row]],
                               dtype=np.int64).reshape(-1, 3)
            part = self.encoder.encode_all(texts[c0:c1], spans=local,
                                           audience=None if audience is None else audience[c0:c1])
            packed.extend(_pack(part, c1 - c0))
            if self.progress is not None:
                self.progress("embed", c1, len(texts))
        return packed

    def _comment_columns(self, frame: pd.DataFrame, out: dict, spans: np.ndarray) -> pd.DataFrame:
        classes = list(SENTIMENT_CLASSES)
        proba = out["sentiment_proba"]
        result = pd.DataFrame(index=frame[V.ID].values)
        result[V.SENTIMENT] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)] if len(proba) else []
        result[V.SENTIMENT_SCORE] = np.round(out["sentiment_score"], 4)
        pillars = list(PILLAR_CLASSES)
        p_proba = out["pillar_proba"]
        result[V.PILLAR] = np.asarray(pillars, dtype=object)[p_proba.argmax(axis=1)] if len(p_proba) else []
        for pillar, column in V.PILLAR_SCORE_COLUMNS.items():
            result[column] = p_proba[:, pillars.index(pillar)].round(4) if pillar in pillars else 0.0
        if self.splitter is not None:
            s_proba = out["span_sentiment_proba"]
            result[V.MIXED] = mixed_flags(spans[:, 0], s_proba[:, classes.index("positive")],
                                          s_proba[:, classes.index("negative")], len(frame), self.mixed_threshold)
        return result

    def _sentence_rows(self, frame: pd.DataFrame, texts: list[str], spans: np.ndarray, out: dict) -> pd.DataFrame:
        classes, pillars = list(SENTIMENT_CLASSES), list(PILLAR_CLASSES)
        rows = spans[:, 0]
        idx = np.zeros(len(spans), dtype=np.int64)
        if len(spans):
            starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1]
            idx = np.arange(len(spans)) - np.repeat(starts, np.diff(np.r_[starts, len(spans)]))
        return pd.DataFrame({
            V.COMMENT_ID: frame[V.ID].to_numpy()[rows],
            V.SENTENCE_IDX: idx,
            V.TEXT: [texts[r][s:e] for r, s, e in spans],
            V.SENTIMENT: np.asarray(classes, dtype=object)[out["span_sentiment_proba"].argmax(axis=1)]
            if len(spans) else [],
            V.SENTIMENT_SCORE: np.round(out["span_sentiment_score"], 4),
            V.PILLAR: np.asarray(pillars, dtype=object)[out["span_pillar_proba"].argmax(axis=1)] if len(spans) else [],
        })


_COMMENT_FIELDS = (("sentiment_proba", 3), ("sentiment_score", 1), ("pillar_proba", 4), ("n_windows", 1))
_SPAN_FIELDS = (("span_sentiment_proba", 3), ("span_sentiment_score", 1), ("span_pillar_proba", 4))
_SPAN_WIDTH = sum(w for _, w in _SPAN_FIELDS)
_COMMENT_WIDTH = sum(w for _, w in _COMMENT_FIELDS)


def _row_key(text: str, audience: str, spans) -> bytes:
    """A comment's cache key: its exact text, the audience the pillar head reads, its sentence spans."""
    marks = ";".join(f"{s}-{e}" for s, e in spans)
    return hashlib.sha256("\x1f".join((text, audience, marks)).encode("utf-8")).digest()


def _pack(part, n: int) -> list[np.ndarray]:
    """One float32 vector per comment: theme embedding, comment outputs, then each of its spans' outputs.

    One vector per comment lets the run cache store and find a comment's whole result by one key.
    """
    comment = np.hstack([part.theme] + [np.asarray(getattr(part, f), dtype=np.float32).reshape(n, w)
                                        for f, w in _COMMENT_FIELDS])
    span = np.hstack([np.asarray(getattr(part, f), dtype=np.float32).reshape(len(part.span_row), w)
                      for f, w in _SPAN_FIELDS])
    order = np.argsort(part.span_row, kind="stable")  # spans grouped by comment, in their given order
    per_comment = np.split(span[order], np.cumsum(np.bincount(part.span_row, minlength=n))[:-1])
    return [np.concatenate([comment[i], per_comment[i].ravel()]).astype(np.float32) for i in range(n)]


def _unpack(vectors: list[np.ndarray], n_spans: list[int]) -> dict:
    """The arrays `_comment_columns`/`_sentence_rows` read, from packed vectors in row order."""
    out: dict = {}
    widths = [len(v) - _COMMENT_WIDTH - _SPAN_WIDTH * k for v, k in zip(vectors, n_spans)]
    dim = widths[0] if widths else 0
    if any(w != dim for w in widths):
        raise ValueError("encode cache: vectors of different widths for one model")
    comment = np.stack([v[:dim + _COMMENT_WIDTH] for v in vectors]) if vectors else \
        np.zeros((0, dim + _COMMENT_WIDTH), np.float32)
    span = np.concatenate([v[dim + _COMMENT_WIDTH:].reshape(-1, _SPAN_WIDTH) for v in vectors]) if vectors else \
        np.zeros((0, _SPAN_WIDTH), np.float32)
    out["theme"], at = comment[:, :dim], dim
    for field, width in _COMMENT_FIELDS:
        block = comment[:, at:at + width]
        out[field] = block[:, 0] if width == 1 else block
        at += width
    at = 0
    for field, width in _SPAN_FIELDS:
        block = span[:, at:at + width]
        out[field] = block[:, 0] if width == 1 else block
        at += width
    out["n_windows"] = out["n_windows"].astype(np.int64)
    return out


__all__ = ["EncodedComments", "FineTunedTagger"]
