"""Data for each section of report.html, shaped from a run's output tables. Pure: no files, no HTML.

Each function takes the published frames (comments, themes, kpis) and returns plain lists of dicts that
the template renders; quotes are the redacted text already in comments.parquet.
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


def _silo_counts(group: pd.DataFrame) -> list[dict]:
    out = []
    for audience, part in group.groupby(group[V.AUDIENCE].fillna(V.UNKNOWN), sort=True):
        out.append({"audience": str(audience), "n": len(part), "negative": int((part[V.SENTIMENT] == "negative").sum())})
    return sorted(out, key=lambda r: (-r["negative"], r["audience"]))


def shared_pain_points(comments: pd.DataFrame, themes: pd.DataFrame, *, top: int = 10,
                       quotes_per_silo: int = 2) -> list[dict]:
    """Ranked themes (shared_rank order), each with per-silo counts and quotes from each silo side by side."""
    ranked = themes[themes["shared_rank"].notna()].sort_values("shared_rank").head(top)
    out = []
    for t in ranked.to_dict("records"):
        group = comments[comments[V.THEME_ID] == t[V.THEME_ID]]
        silos = _silo_counts(group)
        for silo in silos:
            part = group[group[V.AUDIENCE].fillna(V.UNKNOWN) == silo["audience"]]
            silo["quotes"] = _quotes(part, quotes_per_silo)
        out.append({"theme_id": int(t[V.THEME_ID]), "rank": int(t["shared_rank"]), "label": t["label"],
                    "size": int(t["size"]), "share_negative": float(t["share_negative"]),
                    "shared_score": float(t["shared_score"]), "silos": silos,
                    "shared": sum(1 for s in silos if s["negative"] > 0 and s["audience"] != V.UNKNOWN) > 1,
                    "pillars": _json(t.get("pillars"), {}), "languages": _json(t.get("languages"), {})})
    return out


def ex_cx_links(comments: pd.DataFrame, themes: pd.DataFrame, *, employee: list[str], customer: list[str],
                quotes: int = 2) -> list[dict]:
    """Themes with negative comments from both employees and customers, strongest overlap first."""
    labels = dict(zip(themes[V.THEME_ID], themes["label"]))
    negative = comments[(comments[V.SENTIMENT] == "negative") & (comments[V.THEME_ID] != V.OUTLIER_THEME)]
    out = []
    for theme_id, group in negative.groupby(V.THEME_ID, sort=True):
        emp, cust = group[group[V.AUDIENCE].isin(employee)], group[group[V.AUDIENCE].isin(customer)]
        if len(emp) and len(cust):
            out.append({"theme_id": int(theme_id), "label": labels.get(theme_id, str(theme_id)),
                        "n_employee": len(emp), "n_customer": len(cust),
                        "employee_quotes": _quotes(emp, quotes), "customer_quotes": _quotes(cust, quotes)})
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
