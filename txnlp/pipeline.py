"""Composition of the stages; no file access here.

Two halves, so that nothing unredacted is ever written between them:
- `TextPipeline`: normalise -> language -> redact (spaCy-style callables, frame in, frame out);
- `Pipeline`: embed once, then sentiment, pillar and the theme stage (ids, describe, rank) on the same matrix.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.errors import StageError
from txnlp.themes.model import ThemeInputs
from txnlp.themes.stage import ThemeStage, ThemeTables

log = logging.getLogger(__name__)


def _timed(timings: dict, name: str, fn, *args):
    start = time.perf_counter()
    try:
        result = fn(*args)
    except StageError:
        raise
    except Exception as exc:
        # Not the message, and not chained: a library's message can quote a cell ("could not convert 'Jan de
        # Vries, 0612345678'"), and the CLI, the logs and Prefect's database all keep what is raised here.
        raise StageError(name, f"{type(exc).__name__} at {_where(exc)}") from None
    timings[name] = round(time.perf_counter() - start, 4)
    return result


def _where(exc: BaseException) -> str:
    """`file:line` of the innermost frame of `exc`'s traceback: enough to find the failing code."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb is not None else "?"


@dataclass
class TextPipeline:
    stages: list  # callables with a `name`, frame -> frame

    def __call__(self, frame: pd.DataFrame, timings: dict | None = None) -> pd.DataFrame:
        timings = {} if timings is None else timings
        for stage in self.stages:
            n_before = len(frame)
            frame = _timed(timings, stage.name, stage, frame)
            if not isinstance(frame, pd.DataFrame) or len(frame) != n_before:
                raise StageError(stage.name, f"must return a frame with {n_before} rows")
        return frame


@dataclass
class PipelineResult:
    comments: pd.DataFrame
    themes: pd.DataFrame
    embeddings: np.ndarray
    timings: dict = field(default_factory=dict)
    theme_tables: ThemeTables | None = None  # pain points, next state, history rows; None for an empty night
    sentences: pd.DataFrame | None = None


@dataclass
class Pipeline:
    """Model half of the run. Each sub-model is swappable (anything with the right method fits).

    `themes` is the one theme path (`themes.stage.ThemeStage`): stable ids, edits, descriptions,
    ranking, pain points and trends; its settings live in it, not here.
    """

    embedder: object
    sentiment: object
    pillar: object
    themes: ThemeStage
    sentences: object = None  # SentenceTagger, or None to skip sentence-level sentiment
    # A FineTunedTagger: one encoder pass gives the embeddings, sentiment, pillar and sentence rows;
    # with it, `sentiment`, `pillar` and `sentences` are not used and `embedder` only embeds theme phrases.
    tasks: object = None

    def __call__(self, frame: pd.DataFrame, embeddings: np.ndarray | None = None,
                 theme_inputs: ThemeInputs | None = None) -> PipelineResult:
        timings: dict = {}
        frame = frame.reset_index(drop=True)
        if self.tasks is not None and embeddings is not None:
            raise StageError("encode", "precomputed embeddings cannot feed the fine-tuned tasks: "
                                       "they come out of the same encoder pass")
        if len(frame) == 0:
            empty = embeddings if embeddings is not None else _timed(timings, "embed", (self.tasks or self.embedder).encode, [])
            return PipelineResult(_empty_comments(frame), pd.DataFrame(columns=list(V.THEME_COLUMNS)), empty, timings)
        if self.tasks is not None:
            encoded = _timed(timings, "encode", self.tasks, frame)
            embeddings, sentences = encoded.embeddings, encoded.sentences
            comments = frame.copy()
            for col in encoded.comments.columns:
                comments[col] = encoded.comments[col].to_numpy()
            if V.MIXED not in comments:
                comments[V.MIXED] = None
        else:
            if embeddings is None:
                embeddings = _timed(timings, "embed", self.embedder.encode, frame[V.TEXT].tolist())
            comments, sentences = self._classify(frame, embeddings, timings)
        tables = _timed(timings, "themes", lambda: self.themes(comments, embeddings, theme_inputs or ThemeInputs(),
                                                               embedder=self.embedder))
        comments[V.THEME_ID] = tables.labels
        comments[V.THEME_LABEL] = comments[V.THEME_ID].map(dict(zip(tables.themes[V.THEME_ID], tables.themes["label"])))
        log.info("pipeline: %d comments, %d themes, timings %s", len(comments), len(tables.themes), timings)
        return PipelineResult(comments, tables.themes, embeddings, timings, theme_tables=tables, sentences=sentences)


    def _classify(self, frame: pd.DataFrame, embeddings: np.ndarray, timings: dict):
        """Sentiment, pillar and sentences from precomputed embeddings (the linear-head path)."""
        sentiment = _timed(timings, "sentiment", self.sentiment.predict, frame, embeddings)
        pillar = _timed(timings, "pillar", self.pillar.predict, frame, embeddings)
        comments = frame.copy()
        for extra in (sentiment, pillar):
            for col in extra.columns:
                comments[col] = extra[col].to_numpy()
        sentences = None
        comments[V.MIXED] = None
        if self.sentences is not None:
            sentences, by_comment = _timed(timings, "sentences", self.sentences.predict, comments, embeddings)
            comments[V.MIXED] = by_comment[V.MIXED].to_numpy()
            for col in (V.SENTIMENT, V.SENTIMENT_SCORE):
                if col in by_comment:
                    recomputed = by_comment[col].to_numpy()
                    comments[col] = np.where(pd.notna(recomputed), recomputed, comments[col].to_numpy())
        return comments, sentences


def _empty_comments(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in V.COMMENT_COLUMNS:
        if col not in out:
            out[col] = pd.Series(dtype=object)
    return out
