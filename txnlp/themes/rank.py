"""Rank themes as shared pain points: negative volume, multiplied by how widely a theme spreads.

score = n_negative x (1 + w_aud*(audiences-1) + w_pil*(pillars-1) + w_chan*(channels-1) + w_lang*(languages-1))

A theme that customers and employees both complain about (two audiences) outranks one raised by a
single silo with the same negative volume. The outlier bucket is never ranked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from txnlp import nested
from txnlp import vocab as V


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.fillna(V.UNKNOWN).value_counts().sort_index().items()}


def theme_stats(comments: pd.DataFrame) -> pd.DataFrame:
    """Per theme: size, share negative, mean sentiment, and counts per audience/pillar/language/channel."""
    rows = []
    for theme_id, group in comments.groupby(V.THEME_ID, sort=True):
        rows.append({
            V.THEME_ID: int(theme_id), "size": len(group),
            "n_negative": int((group[V.SENTIMENT] == "negative").sum()),
            "share_negative": round(float((group[V.SENTIMENT] == "negative").mean()), 4),
            "mean_sentiment": round(float(group[V.SENTIMENT_SCORE].mean()), 4),
            "audiences": _counts(group[V.AUDIENCE]), "pillars": _counts(group[V.PILLAR]),
            "languages": _counts(group[V.LANG]), "channels": _counts(group[V.CHANNEL]),
        })
    return pd.DataFrame(rows)


def shared_score(stats: pd.DataFrame, *, audience_weight: float, pillar_weight: float, channel_weight: float,
                 language_weight: float) -> pd.Series:
    """The weights are `[rank]` settings, required here so the config stays their one source of defaults."""

    def spread(col):
        return stats[col].map(lambda d: max(len([k for k in d if k != V.UNKNOWN]), 1) - 1)

    factor = (1 + audience_weight * spread("audiences") + pillar_weight * spread("pillars")
              + channel_weight * spread("channels") + language_weight * spread("languages"))
    return (stats["n_negative"] * factor).round(3)


def rank_themes(comments: pd.DataFrame, *, audience_weight: float, pillar_weight: float, channel_weight: float,
                language_weight: float) -> pd.DataFrame:
    """Theme stats with `shared_score` and `shared_rank` (1 = most shared pain); outliers unranked."""
    stats = theme_stats(comments)
    if stats.empty:
        return stats.assign(shared_score=pd.Series(dtype=float), shared_rank=pd.Series(dtype="Int64"))
    stats["shared_score"] = shared_score(stats, audience_weight=audience_weight, pillar_weight=pillar_weight,
                                         channel_weight=channel_weight, language_weight=language_weight)
    ranked = stats[stats[V.THEME_ID] != V.OUTLIER_THEME].sort_values(["shared_score", "size"], ascending=False)
    stats["shared_rank"] = pd.Series(np.arange(1, len(ranked) + 1), index=ranked.index).astype("Int64")
    for col in ("audiences", "pillars", "languages", "channels"):
        stats[col] = stats[col].map(lambda d, col=col: nested.encode(col, d))
    return stats
