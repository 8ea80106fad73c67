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

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from txnlp import vocab as V
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
    """

    name = "encode"

    def __init__(self, encoder: SplitEncoder, splitter: SentenceSplitter | None = None, mixed_threshold: float = 0.6,
                 chunk_size: int = 2048, progress=None):
        self.encoder = encoder
        self.splitter = splitter
        self.mixed_threshold = mixed_threshold
        self.chunk_size = chunk_size
        self.progress = progress

    @property
    def model_id(self) -> str:
        return self.encoder.model_id

    def encode(self, texts: list[str]) -> np.ndarray:
        """Theme embeddings only (the Embedder protocol), for texts that are not comments (theme phrases)."""
        return self.encoder.encode(list(texts))

    def __call__(self, frame: pd.DataFrame) -> EncodedComments:
        frame = frame.reset_index(drop=True)
        texts = frame[V.TEXT].astype(str).tolist()
        langs = frame[V.LANG].astype(str).tolist() if V.LANG in frame else ["und"] * len(frame)
        audience = frame[V.AUDIENCE].astype(str).tolist() if V.AUDIENCE in frame else None
        spans = [] if self.splitter is None else [
            (row, start, end) for row, (text, lang) in enumerate(zip(texts, langs))
            for start, end in self.splitter.spans(text, lang)]
        spans = np.asarray(spans, dtype=np.int64).reshape(-1, 3)
        parts = []
        for c0 in range(0, max(len(texts), 1), self.chunk_size):
            c1 = min(c0 + self.chunk_size, len(texts))
            inside = (spans[:, 0] >= c0) & (spans[:, 0] < c1)
            local = spans[inside] - np.array([c0, 0, 0])
            parts.append(self.encoder.encode_all(texts[c0:c1], spans=local,
                                                 audience=None if audience is None else audience[c0:c1]))
            if self.progress is not None:
                self.progress("embed", c1, len(texts))
        out = _concat(parts, [c0 for c0 in range(0, max(len(texts), 1), self.chunk_size)])
        n_long = int((out["n_windows"] > 1).sum())
        if n_long:
            log.info("encode: %d long comments read in several windows (pooled, not cut)", n_long)
        comments = self._comment_columns(frame, out, spans)
        sentences = None if self.splitter is None else self._sentence_rows(frame, texts, spans, out)
        log.info("encode: %d comments, %d sentences in one pass", len(frame), len(spans))
        return EncodedComments(out["theme"], comments, sentences)

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


def _concat(parts, offsets) -> dict:
    """One SplitOutput-like dict from the chunks' outputs (span rows shifted back to frame rows)."""
    fields = ("theme", "sentiment_proba", "sentiment_score", "pillar_proba", "n_windows", "span_sentiment_proba",
              "span_sentiment_score", "span_pillar_proba")
    out = {f: np.concatenate([getattr(p, f) for p in parts], axis=0) for f in fields}
    out["span_row"] = np.concatenate([p.span_row + o for p, o in zip(parts, offsets)])
    return out


__all__ = ["EncodedComments", "FineTunedTagger"]
