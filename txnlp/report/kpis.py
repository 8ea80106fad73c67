"""KPIs per pillar, theme, audience (silo), channel and language, as one long table.

Long format (`run_date, run_id, dimension, value, label, metric, figure, unit, n, small_n`) so that a
night's figures append to the history without a schema change when a dimension or metric is added.
Pure functions: no file access (that is `io/history.py`).

Metrics, each with the n it was computed on:
- volume: comments in the group (unit count);
- share_negative / share_neutral / share_positive: fraction of the group's comments (unit share, 0-1);
- net_sentiment: share_positive - share_negative (unit share, -1..1);
- mean_sentiment: mean of sentiment_score = P(positive) - P(negative) (unit score, -1..1);
- nps: % promoters (9-10) - % detractors (0-6) among rows scored on the 0-10 scale (unit points, -100..100);
- promoters / detractors: how many of those rows are 9-10 / 0-6 (unit count), for the "9+" view;
- csat: % of rows scored 4-5 among rows scored on the 1-5 scale (unit percent, 0-100).
A score outside its scale's range counts as missing. Groups with n < min_n are marked `small_n`, never dropped.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from txnlp import vocab as V

_DIMENSION_COLUMNS = {"pillar": V.PILLAR, "theme": V.THEME_ID, "audience": V.AUDIENCE, "channel": V.CHANNEL,
                      "language": V.LANG}
_NPS_RANGE = (0, 10)
_CSAT_RANGE = (1, 5)


def resolve_score_scale(comments: pd.DataFrame, *, default: str = "nps", by_source: dict | None = None,
                        by_audience: dict | None = None) -> pd.Series:
    """The scale each row's `score` is on: own `score_scale` column, else by source, else by audience, else default."""
    scale = pd.Series(default, index=comments.index, dtype=object)
    for column, mapping in ((V.AUDIENCE, by_audience), (V.SOURCE, by_source)):  # later wins
        if mapping and column in comments:
            mapped = comments[column].map(mapping)
            scale = mapped.where(mapped.notna(), scale)
    if V.SCORE_SCALE in comments:
        own = comments[V.SCORE_SCALE].astype("string").str.strip().str.lower()
        scale = own.where(own.isin(V.SCORE_SCALES), scale).astype(object)
    return scale


def split_scores(comments: pd.DataFrame, scale: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(nps_score, csat_score): the numeric score where the row is on that scale and within its range, else NaN."""
    if V.SCORE not in comments:
        empty = pd.Series(np.nan, index=comments.index, dtype=float)
        return empty, empty.copy()
    score = pd.to_numeric(comments[V.SCORE], errors="coerce").astype(float)
    nps = score.where((scale == "nps") & score.between(*_NPS_RANGE))
    csat = score.where((scale == "csat") & score.between(*_CSAT_RANGE))
    return nps, csat


def group_figures(sentiment: pd.Series, sentiment_score: pd.Series, nps: pd.Series, csat: pd.Series) -> list[tuple]:
    """(metric, figure, unit, n) for one group of comments; a metric with n = 0 is left out."""
    n = int(len(sentiment))
    rows: list[tuple] = [("volume", float(n), "count", n)]
    if n:
        shares = {s: float((sentiment == s).mean()) for s in V.SENTIMENTS}
        rows += [(f"share_{s}", shares[s], "share", n) for s in V.SENTIMENTS]
        rows.append(("net_sentiment", shares["positive"] - shares["negative"], "share", n))
        scored = sentiment_score.dropna()
        if len(scored):
            rows.append(("mean_sentiment", float(scored.mean()), "score", int(len(scored))))
    nps = nps.dropna()
    if len(nps):
        promoters, detractors = int((nps >= 9).sum()), int((nps <= 6).sum())
        rows += [("nps", 100.0 * (promoters - detractors) / len(nps), "points", int(len(nps))),
                 ("promoters", float(promoters), "count", int(len(nps))),
                 ("detractors", float(detractors), "count", int(len(nps)))]
    csat = csat.dropna()
    if len(csat):
        rows.append(("csat", 100.0 * float((csat >= 4).mean()), "percent", int(len(csat))))
    return rows


def compute_kpis(comments: pd.DataFrame, *, run_date: str, run_id: str = "", min_n: int = 10,
                 default_scale: str = "nps", scale_by_source: dict | None = None,
                 scale_by_audience: dict | None = None) -> pd.DataFrame:
    """The long KPI table for one run (see the module docstring for each metric)."""
    scale = resolve_score_scale(comments, default=default_scale, by_source=scale_by_source,
                                by_audience=scale_by_audience)
    nps, csat = split_scores(comments, scale)
    frame = pd.DataFrame({"sentiment": comments[V.SENTIMENT] if V.SENTIMENT in comments else pd.Series(dtype=object),
                          "sentiment_score": pd.to_numeric(comments.get(V.SENTIMENT_SCORE), errors="coerce"),
                          "nps": nps, "csat": csat}, index=comments.index)
    labels = _theme_labels(comments)
    rows = []
    groups: list[tuple[str, str, pd.Index]] = [("all", "all", comments.index)]
    for dimension, column in _DIMENSION_COLUMNS.items():
        if column not in comments:
            continue
        keys = comments[column].astype("string").fillna(V.UNKNOWN)
        for value, index in keys.groupby(keys, sort=True).groups.items():
            groups.append((dimension, str(value), index))
    for dimension, value, index in groups:
        part = frame.loc[index]
        label = labels.get(value, value) if dimension == "theme" else value
        for metric, figure, unit, n in group_figures(part["sentiment"], part["sentiment_score"], part["nps"],
                                                     part["csat"]):
            rows.append((run_date, run_id, dimension, value, label, metric, round(figure, 4), unit, n, n < min_n))
    out = pd.DataFrame(rows, columns=list(V.KPI_COLUMNS))
    return out.astype({"figure": float, "n": "int64", "small_n": bool})


def nine_plus_view(kpis: pd.DataFrame, top: int = 8) -> dict[str, pd.DataFrame]:
    """What promoters (9-10) and detractors (0-6) talk about: per theme, their count and share of all of them.

    Returns {"promoters": frame, "detractors": frame}, each `value, label, count, share, n` sorted by count;
    the outlier bucket is left out (it is not a theme).
    """
    out = {}
    themes = kpis[(kpis["dimension"] == "theme") & (kpis["value"] != str(V.OUTLIER_THEME))]
    for metric in ("promoters", "detractors"):
        part = themes[themes["metric"] == metric]
        total_row = kpis[(kpis["dimension"] == "all") & (kpis["metric"] == metric)]
        total = float(total_row["figure"].iloc[0]) if len(total_row) else 0.0
        view = pd.DataFrame({"value": part["value"], "label": part["label"], "count": part["figure"].astype(int),
                             "share": part["figure"] / total if total else 0.0, "n": part["n"]})
        view = view[view["count"] > 0].sort_values(["count", "value"], ascending=[False, True]).head(top)
        out[metric] = view.reset_index(drop=True)
    return out


def _theme_labels(comments: pd.DataFrame) -> dict[str, str]:
    if V.THEME_ID not in comments or V.THEME_LABEL not in comments:
        return {}
    pairs = comments[[V.THEME_ID, V.THEME_LABEL]].dropna().drop_duplicates(V.THEME_ID)
    return {str(k): str(v) for k, v in zip(pairs[V.THEME_ID], pairs[V.THEME_LABEL])}
