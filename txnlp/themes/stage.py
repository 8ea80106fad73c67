"""The theme stage of the pipeline: the model's ids, then descriptions, ranking, pain points and trends.

`ThemeModel` (model.py) finds the themes; this stage turns its fit into the tables a run publishes
(`themes`, `shared_pain_points`, the history rows) and the next state. Every setting is a required
constructor argument, filled from the config by `registry.build_theme_stage`: the config is the
one source of defaults.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.themes.describe import centre_similarity, describe_themes
from txnlp.themes.edits import ThemeEdits
from txnlp.themes.ids import ThemeState, flag_trends, history_rows
from txnlp.themes.model import ThemeInputs, ThemeModel, centre_by_language, comment_vectors
from txnlp.themes.pain_points import shared_pain_points
from txnlp.themes.rank import rank_themes


@dataclass
class ThemeTables:
    labels: np.ndarray
    themes: pd.DataFrame
    pain_points: pd.DataFrame
    history_rows: pd.DataFrame
    state: ThemeState
    report: dict


class ThemeStage:
    """Comments already scored (sentiment, pillar) -> `ThemeTables`.

    Args:
        model: the `ThemeModel` (fitted here, on every call).
        report_language, n_keywords, n_quotes, label_words, max_phrase_words, phrase_candidates,
            label_diversity: theme descriptions (`[themes]`).
        min_coherence: themes less coherent are reported as incoherent and never ranked as shared pain points.
        audience_weight, pillar_weight, channel_weight, language_weight: the shared score (`[rank]`).
        min_link_negative: negative comments each side needs for an EX-CX link (`[rank]`).
        employee_audiences, customer_audiences: the two sides of a link (`[report]`).
        quotes_per_silo: quotes per side and per silo in the pain-point table (`[report]`).
        emerging_factor, emerging_window, emerging_min_size: emerging themes (`[tracking]`).
    """

    name = "themes"

    def __init__(self, model: ThemeModel, *, report_language: str, n_keywords: int, n_quotes: int, label_words: int,
                 max_phrase_words: int, phrase_candidates: int, label_diversity: float, min_coherence: float,
                 audience_weight: float, pillar_weight: float, channel_weight: float, language_weight: float,
                 min_link_negative: int, employee_audiences: list[str], customer_audiences: list[str],
                 quotes_per_silo: int, emerging_factor: float, emerging_window: int, emerging_min_size: int):
        self.model = model
        self.report_language = report_language
        self.n_keywords = n_keywords
        self.n_quotes = n_quotes
        self.label_words = label_words
        self.max_phrase_words = max_phrase_words
        self.phrase_candidates = phrase_candidates
        self.label_diversity = label_diversity
        self.min_coherence = min_coherence
        self.audience_weight = audience_weight
        self.pillar_weight = pillar_weight
        self.channel_weight = channel_weight
        self.language_weight = language_weight
        self.min_link_negative = min_link_negative
        self.employee_audiences = employee_audiences
        self.customer_audiences = customer_audiences
        self.quotes_per_silo = quotes_per_silo
        self.emerging_factor = emerging_factor
        self.emerging_window = emerging_window
        self.emerging_min_size = emerging_min_size

    def __call__(self, comments: pd.DataFrame, embeddings: np.ndarray, inputs: ThemeInputs | None = None, *,
                 embedder=None) -> ThemeTables:
        """Theme ids, descriptions, ranking, pain points, trends and the next state.

        `embedder` (the run's) encodes sentence units and the candidate label words; without it,
        units must be whole comments and labels come from keywords only.
        """
        inputs = inputs or ThemeInputs()
        edits = inputs.edits or ThemeEdits()
        embedder_id = getattr(embedder, "model_id", type(embedder).__name__) if embedder is not None else ""
        model = self.model.fit(comments, embeddings, embedder=embedder, state=inputs.state, edits=edits,
                               run_date=inputs.run_date, embedder_id=embedder_id)
        labels = model.labels_
        scored = comments.assign(**{V.THEME_ID: labels})
        cvec = comment_vectors(model.units_, model.unit_embeddings_, len(comments))
        present = sorted(int(t) for t in set(labels) if t >= 0)
        described = describe_themes(scored, cvec, labels, report_language=self.report_language,
                                    n_keywords=self.n_keywords, n_quotes=self.n_quotes, label_words=self.label_words,
                                    max_phrase_words=self.max_phrase_words, phrase_candidates=self.phrase_candidates,
                                    label_diversity=self.label_diversity,
                                    encode_phrases=self._phrase_encoder(embedder), renames=edits.rename)
        ranked = rank_themes(scored, audience_weight=self.audience_weight, pillar_weight=self.pillar_weight,
                             channel_weight=self.channel_weight, language_weight=self.language_weight)
        themes = described.merge(ranked, on=V.THEME_ID, how="left")
        themes["coherence"] = themes[V.THEME_ID].map(model.coherence_).astype(float)
        themes["coherent"] = themes["coherence"] >= self.min_coherence  # the unthemed bucket (-1) has none: False
        ignore = set(edits.ignore)
        unranked = ignore | set(themes.loc[~themes["coherent"], V.THEME_ID].astype(int))
        pain = shared_pain_points(scored, themes, employee=list(self.employee_audiences),
                                  customer=list(self.customer_audiences), ignore=unranked,
                                  min_link_negative=self.min_link_negative, quotes=self.quotes_per_silo,
                                  centre_similarity=centre_similarity(cvec, labels))
        rank_of = dict(zip(pain[V.THEME_ID], pain["shared_rank"]))
        themes["shared_rank"] = themes[V.THEME_ID].map(rank_of).astype("Int64")
        themes["ignored"] = themes[V.THEME_ID].isin(ignore)
        state = model.state_
        label_of = dict(zip(themes[V.THEME_ID], themes["label"]))
        state.labels = [label_of.get(t, lab) for t, lab in zip(state.theme_ids, state.labels)]
        rows = history_rows(themes, inputs.run_id, inputs.run_date)
        history = inputs.history if inputs.history is not None else rows.iloc[0:0]
        history = pd.concat([history, rows], ignore_index=True) if len(history) else rows
        themes = flag_trends(themes, history, state, inputs.run_id, growth_factor=self.emerging_factor,
                             window=self.emerging_window, min_size=self.emerging_min_size)
        themes = themes.sort_values("shared_rank", na_position="last").reset_index(drop=True)
        report = {**model.report_, "themes": len(present),
                  "incoherent": sorted(int(t) for t in themes.loc[~themes["coherent"], V.THEME_ID] if t >= 0),
                  "emerging": [int(x) for x in themes.loc[themes["emerging"], V.THEME_ID]]}
        return ThemeTables(labels, themes[list(V.THEME_COLUMNS)], pain, rows, state, report)

    def _phrase_encoder(self, embedder):
        """Label phrases -> vectors in the clustering space, centred as the report language (None: no embedder)."""
        if embedder is None:
            return None
        means = {k: np.asarray(v, np.float32) for k, v in self.model.state_.language_means.items()}
        second = self.model.second_embedder
        lang = self.report_language

        def encode_phrases(phrases: list[str]) -> np.ndarray:
            blocks = [np.asarray(embedder.encode(phrases), np.float32)]
            if second is not None:
                blocks.append(np.asarray(second.encode(phrases), np.float32))
            zero = {"*": np.zeros(sum(b.shape[1] for b in blocks), np.float32)}
            return centre_by_language(blocks, np.array([lang] * len(phrases)), means or zero)

        return encode_phrases
