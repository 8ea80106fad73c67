"""Data for each section of report.html, shaped from a run's output tables. Pure: no files, no HTML.

Each function takes the published frames (comments, themes, kpis, shared_pain_points) and returns plain
lists of dicts that the template renders; quotes are the redacted text already in the run's tables.
"""
from __future__ import annotations

import json

import pandas as pd

from txnlp import vocab as V

KPI_METRICS_SHOWN: tuple[str, ...] = ("volume", "share_negative", "share_neutral", "share_positive", "net_sentiment",
                                      "mean_sentiment", "nps", "csat")


def kpi_rows(kpis: pd.DataFrame, dimension: str) -> list[dict]:
    """One row per value of `dimension`: {value, label, <metric>: {figure, n, small_n}} for the shown metrics."""
    part = kpis[kpis["dimension"] == dimension]
    rows = []
    for value, group in part.groupby("value", sort=False):
        row = {"value": value, "label": str(group["label"].iloc[0])}
        for r in group.itertuples(index=False):
            if r.metric in KPI_METRICS_SHOWN:
                row[r.metric] = {"figure": float(r.figure), "n": int(r.n), "small_n": bool(r.small_n)}
        rows.append(row)
    return sorted(rows, key=lambda r: -r["volume"]["figure"])


def _json(value, default):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return value if value is not None else default


def _quotes(group: pd.DataFrame, n: int, *, negative_first: bool = True) -> list[dict]:
    """Up to n quotes: the most negative comments first (or the most positive), ties broken by id."""
    neg = group[group[V.SENTIMENT] == "negative"] if negative_first else group
    pool = neg if len(neg) else group
    pool = pool.sort_values([V.SENTIMENT_SCORE, V.ID], ascending=[negative_first, True])
    return [{"id": str(r[V.ID]), "lang": str(r[V.LANG]), "text": str(r[V.TEXT])} for _, r in pool.head(n).iterrows()]


def _negative_counts(comments: pd.DataFrame, theme_id: int) -> dict[str, int]:
    """Negative comments per audience of one theme, for a table written before it had `negative_audiences`."""
    neg = comments[(comments[V.THEME_ID] == theme_id) & (comments[V.SENTIMENT] == "negative")]
    return {str(k): int(v) for k, v in neg[V.AUDIENCE].fillna(V.UNKNOWN).value_counts().items()}


def shared_pain_points(pain_points: pd.DataFrame, comments: pd.DataFrame, *, top: int = 10) -> list[dict]:
    """The published shared_pain_points table (shared_rank order) as the report shows it: per-silo counts and
    quotes side by side. Nothing is recomputed here, so the report and the table cannot disagree.

    `comments` is only read for tables from before `negative_audiences` was a column.
    """
    out = []
    for p in pain_points.sort_values("shared_rank").head(top).to_dict("records"):
        sizes = _json(p["audiences"], {})
        negative = _json(p.get("negative_audiences"), None)
        if negative is None:
            negative = _negative_counts(comments, p[V.THEME_ID])
        quotes = _json(p["silo_quotes"], {})
        silos = sorted(({"audience": a, "n": int(n), "negative": int(negative.get(a, 0)), "quotes": quotes.get(a, [])}
                        for a, n in sizes.items()), key=lambda r: (-r["negative"], r["audience"]))
        out.append({"theme_id": int(p[V.THEME_ID]), "rank": int(p["shared_rank"]), "label": p["label"],
                    "size": int(p["size"]), "share_negative": float(p["share_negative"]),
                    "shared_score": float(p["shared_score"]), "silos": silos,
                    "shared": sum(1 for s in silos if s["negative"] > 0 and s["audience"] != V.UNKNOWN) > 1,
                    "pillars": _json(p.get("pillars"), {}), "languages": _json(p.get("languages"), {})})
    return out


def ex_cx_links(pain_points: pd.DataFrame, comments: pd.DataFrame, *, employee: list[str],
                customer: list[str]) -> list[dict]:
    """The themes the table marks `ex_cx_link` (rank.min_link_negative negatives on each side), strongest
    overlap first, with the table's employee and customer quotes."""
    out = []
    for p in pain_points[pain_points["ex_cx_link"].astype(bool)].to_dict("records"):
        negative = _json(p.get("negative_audiences"), None)
        if negative is None:
            negative = _negative_counts(comments, p[V.THEME_ID])
        out.append({"theme_id": int(p[V.THEME_ID]), "label": p["label"],
                    "n_employee": sum(int(negative.get(a, 0)) for a in employee),
                    "n_customer": sum(int(negative.get(a, 0)) for a in customer),
                    "employee_quotes": _json(p["employee_quotes"], []),
                    "customer_quotes": _json(p["customer_quotes"], [])})
    return sorted(out, key=lambda r: (-min(r["n_employee"], r["n_customer"]), -(r["n_employee"] + r["n_customer"]),
                                      r["theme_id"]))


def emerging_themes(themes: pd.DataFrame) -> list[dict] | None:
    """Themes flagged by an `emerging` column (added by the emerging-themes stage); None when there is none."""
    if "emerging" not in themes.columns:
        return None
    flag = themes["emerging"].fillna(False)
    flagged = themes[flag.astype(bool) & (themes[V.THEME_ID] != V.OUTLIER_THEME)]
    extra = [c for c in themes.columns if c.startswith("emerging") and c != "emerging"]
    return [{"theme_id": int(r[V.THEME_ID]), "label": r["label"], "size": int(r["size"]),
             "share_negative": float(r["share_negative"]), "extra": {c: r[c] for c in extra}}
            for r in flagged.to_dict("records")]


def all_themes(themes: pd.DataFrame) -> list[dict]:
    """Every theme, outliers last, with keywords per language."""
    rows = []
    for r in themes.to_dict("records"):
        rows.append({"theme_id": int(r[V.THEME_ID]), "label": r["label"], "size": int(r["size"]),
                     "share_negative": float(r["share_negative"]), "mean_sentiment": float(r["mean_sentiment"]),
                     "rank": None if pd.isna(r["shared_rank"]) else int(r["shared_rank"]),
                     "audiences": _json(r["audiences"], {}), "languages": _json(r["languages"], {}),
                     "keywords": _json(r["keywords"], {})})
    return sorted(rows, key=lambda r: (r["theme_id"] == V.OUTLIER_THEME, r["rank"] or 10**9, r["theme_id"]))


def promoter_quotes(comments: pd.DataFrame, theme_ids: list[str], nps_score: pd.Series, *, promoters: bool) -> dict:
    """One quote per theme from a promoter (score 9-10) or a detractor (0-6), for the "9+" view."""
    mask = nps_score >= 9 if promoters else nps_score <= 6
    pool = comments[mask.reindex(comments.index, fill_value=False)]
    out = {}
    for theme in theme_ids:
        part = pool[pool[V.THEME_ID].astype(str) == theme]
        if len(part):
            out[theme] = _quotes(part, 1, negative_first=not promoters)[0]
    return out
