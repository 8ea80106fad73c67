"""Data for each section of report.html, shaped from a run's output tables. Pure: no files, no HTML.

Each function takes the published frames (comments, themes, kpis, shared_pain_points) and returns plain
lists of dicts that the template renders; quotes are the redacted text already in the run's tables.
The page's filters read two more: every theme's counts per filter combination (`theme_counts`) and a
capped set of comments per theme to read (`theme_comments`).
"""
from __future__ import annotations

import math

import pandas as pd

from txnlp import nested
from txnlp import vocab as V

# The columns the analyst filters on in the page, in the order of the select boxes.
FILTER_COLUMNS: tuple[str, ...] = (V.AUDIENCE, V.PILLAR, V.LANG, V.CHANNEL)
# What the page tells about each embedded comment, in this order.
COMMENT_FIELDS: tuple[str, ...] = (V.ID, V.LANG, V.AUDIENCE, V.CHANNEL, V.PILLAR, V.SENTIMENT, V.TEXT)
# The shared_pain_points columns a `why` line is made of; without all of them the table's own line is shown.
WHY_PARTS: tuple[str, ...] = ("n_negative", "size", "audiences", "negative_audiences", "pillars", "channels",
                              "languages", "ex_cx_link")

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


def _nested(row: dict, column: str, default):
    """A nested cell of a published table as a plain dict or list (`txnlp.nested.decode`); `default` if absent."""
    return nested.decode(column, row.get(column), default)


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
        sizes = _nested(p, "audiences", {})
        negative = _nested(p, "negative_audiences", None)
        if negative is None:
            negative = _negative_counts(comments, p[V.THEME_ID])
        quotes = _nested(p, "silo_quotes", {})
        silos = sorted(({"audience": a, "n": int(n), "negative": int(negative.get(a, 0)), "quotes": quotes.get(a, [])}
                        for a, n in sizes.items()), key=lambda r: (-r["negative"], r["audience"]))
        out.append({"theme_id": int(p[V.THEME_ID]), "rank": int(p["shared_rank"]), "label": p["label"],
                    "size": int(p["size"]), "share_negative": float(p["share_negative"]),
                    "shared_score": float(p["shared_score"]), "silos": silos,
                    "shared": sum(1 for s in silos if s["negative"] > 0 and s["audience"] != V.UNKNOWN) > 1,
                    "pillars": _nested(p, "pillars", {}), "languages": _nested(p, "languages", {}),
                    "why": str(p["why"]) if isinstance(p.get("why"), str) else None, "why_parts": _why_parts(p, negative)})
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _why_parts(row: dict, negative: dict[str, int]) -> dict | None:
    """The facts the table's `why` line is built from (themes/pain_points.py), or None if a column is missing.

    `negative`: negative comments per silo, from the table or, for an older table, from the comments.
    """
    if any(_missing(row.get(c)) for c in WHY_PARTS if c != "negative_audiences"):
        return None
    audiences = _nested(row, "audiences", {})
    return {"negative": int(row["n_negative"]), "size": int(row["size"]),
            "negative_by_silo": {a: int(negative.get(a, 0)) for a in audiences},
            "pillars": len(_nested(row, "pillars", {})), "channels": len(_nested(row, "channels", {})),
            "languages": len(_nested(row, "languages", {})), "ex_cx_link": bool(row["ex_cx_link"])}


def why_text(point: dict, t, fmt, lang: str) -> str:
    """The pain point's `why` line in the report language.

    The table writes its line in English (themes/pain_points.py), so an English report shows that line
    as it is, and another language says the same facts with its own words, from the table's columns.
    A table without those columns keeps its own line, whatever the language.
    """
    parts = point.get("why_parts")
    if (lang == "en" and point.get("why")) or parts is None:
        return point.get("why") or ""
    silos = ", ".join(f"{t.unknown if a == V.UNKNOWN else a} {fmt.number(n)}"
                      for a, n in parts["negative_by_silo"].items())
    pieces = [t.why_negative.format(neg=fmt.number(parts["negative"]), n=fmt.number(parts["size"])),
              t.why_by_silo.format(silos=silos),
              t.why_spread.format(pillars=fmt.number(parts["pillars"]), channels=fmt.number(parts["channels"]),
                                  languages=fmt.number(parts["languages"]))]
    if parts["ex_cx_link"]:
        pieces.append(t.why_link)
    return "; ".join(pieces)


def ex_cx_links(pain_points: pd.DataFrame, comments: pd.DataFrame, *, employee: list[str],
                customer: list[str]) -> list[dict]:
    """The themes the table marks `ex_cx_link` (rank.min_link_negative negatives on each side), strongest
    overlap first, with the table's employee and customer quotes."""
    out = []
    for p in pain_points[pain_points["ex_cx_link"].astype(bool)].to_dict("records"):
        negative = _nested(p, "negative_audiences", None)
        if negative is None:
            negative = _negative_counts(comments, p[V.THEME_ID])
        out.append({"theme_id": int(p[V.THEME_ID]), "label": p["label"],
                    "n_employee": sum(int(negative.get(a, 0)) for a in employee),
                    "n_customer": sum(int(negative.get(a, 0)) for a in customer),
                    "employee_quotes": _nested(p, "employee_quotes", []),
                    "customer_quotes": _nested(p, "customer_quotes", [])})
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


def theme_flags(themes: pd.DataFrame) -> dict[int, dict]:
    """Per theme: `coherent` (bool, or None where unknown) and `coherence` (float or None).

    The theme stage may or may not write these columns; a table without them marks no theme.
    """
    flags = {}
    for r in themes.to_dict("records"):
        coherent, coherence = r.get("coherent"), r.get("coherence")
        flags[int(r[V.THEME_ID])] = {"coherent": None if coherent is None or pd.isna(coherent) else bool(coherent),
                                     "coherence": None if coherence is None or pd.isna(coherence) else float(coherence)}
    return flags


def all_themes(themes: pd.DataFrame) -> list[dict]:
    """Every theme, the unthemed bucket (theme -1) last, with keywords per language and coherence flags."""
    rows = []
    flags = theme_flags(themes)
    for r in themes.to_dict("records"):
        tid = int(r[V.THEME_ID])
        rows.append({"theme_id": tid, "label": r["label"], "size": int(r["size"]),
                     "share_negative": float(r["share_negative"]), "mean_sentiment": float(r["mean_sentiment"]),
                     "rank": None if pd.isna(r["shared_rank"]) else int(r["shared_rank"]),
                     "audiences": _nested(r, "audiences", {}), "languages": _nested(r, "languages", {}),
                     "keywords": _nested(r, "keywords", {}), "unthemed": tid == V.OUTLIER_THEME, **flags[tid]})
    return sorted(rows, key=lambda r: (r["unthemed"], r["rank"] or 10**9, r["theme_id"]))


def _filter_frame(comments: pd.DataFrame) -> pd.DataFrame:
    """theme_id and the filter columns as text (missing: `unknown`), sentiment, score, id and text."""
    def text(column: str) -> pd.Series:
        values = comments[column] if column in comments else pd.Series(None, index=comments.index, dtype=object)
        return values.astype("string").fillna(V.UNKNOWN).astype(str)

    return pd.DataFrame({V.THEME_ID: pd.to_numeric(comments[V.THEME_ID]).fillna(V.OUTLIER_THEME).astype(int),
                         **{c: text(c) for c in FILTER_COLUMNS}, V.ID: comments[V.ID].astype(str),
                         V.SENTIMENT: text(V.SENTIMENT),
                         V.SENTIMENT_SCORE: pd.to_numeric(comments.get(V.SENTIMENT_SCORE), errors="coerce"),
                         V.TEXT: comments[V.TEXT].astype("string").fillna("").astype(str)}, index=comments.index)


def filter_values(comments: pd.DataFrame) -> dict[str, list[str]]:
    """The values each filter offers, sorted; a column with one value or none offers nothing to filter on."""
    frame = _filter_frame(comments)
    values = {c: sorted(frame[c].unique()) for c in FILTER_COLUMNS}
    return {c: v for c, v in values.items() if len(v) > 1}


def theme_counts(comments: pd.DataFrame) -> dict:
    """Comments per theme and filter combination: n, negative, sum of sentiment scores and how many were scored.

    The page adds up the rows that match the chosen filters, so the counts it shows are over every
    comment of the run, not only the ones it embeds to read.
    """
    frame = _filter_frame(comments).assign(
        _negative=lambda f: (f[V.SENTIMENT] == "negative").astype(int),
        _score=lambda f: f[V.SENTIMENT_SCORE].fillna(0.0), _scored=lambda f: f[V.SENTIMENT_SCORE].notna().astype(int))
    keys = [V.THEME_ID, *FILTER_COLUMNS]
    grouped = frame.groupby(keys, sort=True).agg(n=(V.ID, "size"), negative=("_negative", "sum"),
                                                 score_sum=("_score", "sum"), scored=("_scored", "sum")).reset_index()
    rows = [[int(r[0]), *r[1:len(keys)], int(r[-4]), int(r[-3]), round(float(r[-2]), 4), int(r[-1])]
            for r in grouped.itertuples(index=False)]
    return {"columns": [*keys, "n", "negative", "score_sum", "scored"], "rows": rows}


def theme_comments(comments: pd.DataFrame, cap: int) -> dict:
    """Up to `cap` comments per theme for the analyst to read in the page, the theme's total beside them.

    Which ones, when a theme has more: taken in turn from each filter combination (most negative first
    within each), so that filtering on any silo, pillar, language or channel still leaves comments to
    read; then shown most negative first.
    """
    frame = _filter_frame(comments).sort_values([V.SENTIMENT_SCORE, V.ID], na_position="last", kind="stable")
    frame["_turn"] = frame.groupby([V.THEME_ID, *FILTER_COLUMNS], sort=False).cumcount()
    chosen = (frame.sort_values([V.THEME_ID, "_turn", V.SENTIMENT_SCORE, V.ID], na_position="last", kind="stable")
              .groupby(V.THEME_ID, sort=True).head(cap)
              .sort_values([V.THEME_ID, V.SENTIMENT_SCORE, V.ID], na_position="last", kind="stable"))
    totals = frame[V.THEME_ID].value_counts()
    themes = {str(tid): {"total": int(totals[tid]), "rows": part[list(COMMENT_FIELDS)].values.tolist()}
              for tid, part in chosen.groupby(V.THEME_ID, sort=True)}
    return {"columns": list(COMMENT_FIELDS), "themes": themes}


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
