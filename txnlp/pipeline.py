"""Composition of the stages; no file access here.

Two halves, so that nothing unredacted is ever written between them:
- `TextPipeline`: normalise -> language -> redact (spaCy-style callables, frame in, frame out);
- `Pipeline`: embed once, then sentiment, pillar, cluster, describe and rank on the same matrix.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.errors import StageError
from txnlp.themes.rank import rank_themes
from txnlp.themes.describe import describe_themes

log = logging.getLogger(__name__)


def _timed(timings: dict, name: str, fn, *args):
    start = time.perf_counter()
    try:
        result = fn(*args)
    except StageError:
        raise
    except Exception as exc:
        raise StageError(name, f"{type(exc).__name__}: {exc}") from exc
    timings[name] = round(time.perf_counter() - start, 4)
    return result


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
    theme_tables: object | None = None  # theming.ThemeTables when a themer ran (pain points, state, history)
    sentences: pd.DataFrame | None = None


@dataclass
class Pipeline:
    """Model half of the run. Each sub-model is swappable (anything with the right method fits)."""

    embedder: object
    sentiment: object
    pillar: object
    clusterer: object
    report_language: str = "en"
    n_keywords: int = 6
    n_quotes: int = 3
    label_words: int = 3
    rank_weights: dict = field(default_factory=dict)
    themer: object | None = None  # theming.ThemeModel: stable ids, edits, trends; None = plain clusterer
    theme_options: dict = field(default_factory=dict)  # extra keyword arguments of build_theme_tables
    sentences: object = None  # SentenceTagger, or None to skip sentence-level sentiment

    def __call__(self, frame: pd.DataFrame, embeddings: np.ndarray | None = None,
                 theme_inputs=None) -> PipelineResult:
        timings: dict = {}
        frame = frame.reset_index(drop=True)
        if embeddings is None:
            embeddings = _timed(timings, "embed", self.embedder.encode, frame[V.TEXT].tolist())
        if len(frame) == 0:
            return PipelineResult(_empty_comments(frame), pd.DataFrame(columns=list(V.THEME_COLUMNS)), embeddings, timings)
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
        if self.themer is not None:
            result = self._with_themer(comments, embeddings, theme_inputs, timings)
            result.sentences = sentences
            return result
        labels = _timed(timings, "cluster", self.clusterer.fit_predict, embeddings)
        comments[V.THEME_ID] = labels
        described = _timed(timings, "describe", lambda: describe_themes(
            comments, embeddings, labels, report_language=self.report_language, n_keywords=self.n_keywords,
            n_quotes=self.n_quotes, label_words=self.label_words))
        ranked = _timed(timings, "rank", lambda: rank_themes(comments, **self.rank_weights))
        themes = described.merge(ranked, on=V.THEME_ID, how="left")
        comments[V.THEME_LABEL] = comments[V.THEME_ID].map(dict(zip(themes[V.THEME_ID], themes["label"])))
        themes = themes.sort_values("shared_rank", na_position="last").reset_index(drop=True)
        log.info("pipeline: %d comments, %d themes, timings %s", len(comments), len(themes), timings)
        return PipelineResult(comments, themes[list(V.THEME_COLUMNS)], embeddings, timings, sentences=sentences)

    def _with_themer(self, comments, embeddings, theme_inputs, timings) -> PipelineResult:
        from txnlp.themes.model import ThemeInputs, build_theme_tables

        tables = _timed(timings, "themes", lambda: build_theme_tables(
            comments, embeddings, self.themer, theme_inputs or ThemeInputs(), embedder=self.embedder,
            embedder_id=getattr(self.embedder, "model_id", type(self.embedder).__name__),
            report_language=self.report_language, n_keywords=self.n_keywords, n_quotes=self.n_quotes,
            label_words=self.label_words, rank_weights=self.rank_weights, **self.theme_options))
        comments[V.THEME_ID] = tables.labels
        comments[V.THEME_LABEL] = comments[V.THEME_ID].map(dict(zip(tables.themes[V.THEME_ID], tables.themes["label"])))
        log.info("pipeline: %d comments, %d themes, timings %s", len(comments), len(tables.themes), timings)
        return PipelineResult(comments, tables.themes, embeddings, timings, theme_tables=tables)


def _empty_comments(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in V.COMMENT_COLUMNS:
        if col not in out:
            out[col] = pd.Series(dtype=object)
    return out
