"""`shared_pain_points`: themes ranked as pain points shared across silos, each row explaining itself.

Order: themes where employees and customers both complain (the EX to CX link: at least
`min_link_negative` negative comments from each side) come first, then the rest; within each group by
`shared_score` (rank.py: negative volume x (1 + weighted spread over audiences, pillars, channels,
languages)). Ignored themes (analyst edits) and the outlier bucket are not ranked.
Quotes are a silo's most typical negative comments (closest to the theme's centre), so a theme
about the CRM history is not shown with the one angry billing complaint that landed in it.
This table is the one place the EX-CX rule is applied: report.html reads it instead of recomputing.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from txnlp import nested
from txnlp import vocab as V

PAIN_POINT_COLUMNS: tuple[str, ...] = (
    "shared_rank", "theme_id", "label", "ex_cx_link", "shared_score", "size", "n_negative", "share_negative",
    "audiences", "negative_audiences", "pillars", "channels", "languages", "employee_quotes", "customer_quotes",
    "silo_quotes", "why",
)


_TYPICAL = "_centre_similarity"


def _quotes(group: pd.DataFrame, n: int) -> list[dict]:
    """The negative comments (all, where none is), most typical first; without typicality, most negative first."""
    neg = group[group[V.SENTIMENT] == "negative"]
    if _TYPICAL in group:
        by, ascending = [_TYPICAL, V.ID], [False, True]
    else:
        by, ascending = [V.SENTIMENT_SCORE, V.ID], [True, True]
    pool = (neg if len(neg) else group).sort_values(by, ascending=ascending, kind="stable")
    return [{"id": str(r[V.ID]), "lang": str(r[V.LANG]), "text": str(r[V.TEXT])} for _, r in pool.head(n).iterrows()]


def _counts(series: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in series.fillna(V.UNKNOWN).value_counts().sort_index().items()}


def shared_pain_points(comments: pd.DataFrame, themes: pd.DataFrame, *, employee: list[str], customer: list[str],
                       ignore: set[int] = frozenset(), min_link_negative: int = 2, quotes: int = 2,
                       centre_similarity: np.ndarray | None = None) -> pd.DataFrame:
    """One row per ranked theme (see module doc); `themes` needs theme_id, label, shared_score.

    `centre_similarity`: per row of `comments`, its cosine to its theme's centroid
    (`describe.centre_similarity`); None (no embeddings) falls back to the most negative quotes first.
    """
    if centre_similarity is not None:
        if len(centre_similarity) != len(comments):
            raise ValueError(f"centre_similarity has {len(centre_similarity)} values for {len(comments)} comments")
        comments = comments.assign(**{_TYPICAL: np.asarray(centre_similarity, dtype=float)})
    rows = []
    for t in themes.to_dict("records"):
        tid = int(t[V.THEME_ID])
        if tid == V.OUTLIER_THEME or tid in ignore:
            continue
        group = comments[comments[V.THEME_ID] == tid]
        neg = group[group[V.SENTIMENT] == "negative"]
        emp, cust = neg[neg[V.AUDIENCE].isin(employee)], neg[neg[V.AUDIENCE].isin(customer)]
        link = len(emp) >= min_link_negative and len(cust) >= min_link_negative
        audiences = _counts(group[V.AUDIENCE])
        neg_by_aud = _counts(neg[V.AUDIENCE])
        silo_quotes = {a: _quotes(group[group[V.AUDIENCE].fillna(V.UNKNOWN) == a], quotes) for a in audiences}
        pillars, channels, languages = _counts(group[V.PILLAR]), _counts(group[V.CHANNEL]), _counts(group[V.LANG])
        why = (f"{len(neg)} of {len(group)} comments negative; negative by silo: "
               + ", ".join(f"{a} {neg_by_aud.get(a, 0)}" for a in audiences)
               + f"; {len(pillars)} pillars, {len(channels)} channels, {len(languages)} languages"
               + ("; employees and customers both complain (EX-CX link)" if link else ""))
        rows.append({"theme_id": tid, "label": t["label"], "ex_cx_link": link,
                     "shared_score": float(t["shared_score"]), "size": len(group), "n_negative": len(neg),
                     "share_negative": round(len(neg) / max(len(group), 1), 4),
                     "audiences": nested.encode("audiences", audiences),
                     "negative_audiences": nested.encode("negative_audiences",
                                                         {a: neg_by_aud.get(a, 0) for a in audiences}),
                     "pillars": nested.encode("pillars", pillars), "channels": nested.encode("channels", channels),
                     "languages": nested.encode("languages", languages),
                     "employee_quotes": _quotes(emp, quotes) if link else [],
                     "customer_quotes": _quotes(cust, quotes) if link else [],
                     "silo_quotes": nested.encode("silo_quotes", silo_quotes), "why": why})
    if not rows:
        return pd.DataFrame(columns=list(PAIN_POINT_COLUMNS))
    out = pd.DataFrame(rows).sort_values(["ex_cx_link", "shared_score", "size", "theme_id"],
                                         ascending=[False, False, False, True], kind="stable")
    out.insert(0, "shared_rank", range(1, len(out) + 1))
    return out[list(PAIN_POINT_COLUMNS)].reset_index(drop=True)
