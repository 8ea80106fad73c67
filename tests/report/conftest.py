"""A small run's published tables, made by hand (no pipeline, no model), to render report.html from."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from txnlp import vocab as V
from txnlp.config import ReportSettings
from txnlp.report.kpis import compute_kpis
from txnlp.themes.pain_points import shared_pain_points

# Hostile comment text: it must reach the reader as text, never as markup or script.
HOSTILE = '</script><script>window.__pwned = 1</script><!-- <img src=x onerror="window.__pwned = 2"> & \u2028'

COMMENTS = [  # id, theme, audience, channel, lang, pillar, sentiment, score, text
    ("c1", 1, "customer", "app", "nl", "CX", "negative", -0.9, "De app logt me steeds uit"),
    ("c2", 1, "customer", "app", "de", "CX", "negative", -0.7, "Die App meldet mich ständig ab"),
    ("c3", 1, "customer", "web", "nl", "UX", "neutral", -0.1, "Inloggen gaat soms mis"),
    ("e1", 1, "employee", "survey", "ru", "EX", "negative", -0.8, "Клиенты звонят, потому что приложение их выкидывает"),
    ("e2", 1, "employee", "survey", "ru", "EX", "negative", -0.6, HOSTILE),
    ("c4", 2, "customer", "shop", "de", "CX", "positive", 0.9, "Sehr freundlich im Laden"),
    ("c5", 2, "customer", "shop", "nl", "CX", "negative", -0.5, "Lange rij bij de kassa"),
    ("c6", 2, "customer", "shop", "ru", "CX", "positive", 0.6, "Отличный сервис в магазине"),
    ("x1", -1, None, "web", "nl", "UX", "neutral", 0.0, "Hoe wijzig ik mijn adres"),
]


@pytest.fixture()
def hostile() -> str:
    return HOSTILE


def _counts(series: pd.Series) -> str:
    return json.dumps({str(k): int(v) for k, v in series.fillna(V.UNKNOWN).value_counts().sort_index().items()})


@pytest.fixture()
def tables():
    """(manifest, comments, themes, pain, kpis, history, cfg) of a two-theme night with an unthemed comment."""
    comments = pd.DataFrame(COMMENTS, columns=[V.ID, V.THEME_ID, V.AUDIENCE, V.CHANNEL, V.LANG, V.PILLAR, V.SENTIMENT,
                                               V.SENTIMENT_SCORE, V.TEXT])
    comments[V.THEME_LABEL] = comments[V.THEME_ID].map({1: "app / logout", 2: "shop / queue", -1: "outliers"})
    comments[V.SCORE] = [2, 3, None, None, None, 10, 4, 9, None]
    rows = []
    for tid, group in comments.groupby(V.THEME_ID):
        rows.append({V.THEME_ID: tid, "label": group[V.THEME_LABEL].iloc[0], "size": len(group),
                     "share_negative": float((group[V.SENTIMENT] == "negative").mean()),
                     "mean_sentiment": float(group[V.SENTIMENT_SCORE].mean()),
                     "audiences": _counts(group[V.AUDIENCE]), "pillars": _counts(group[V.PILLAR]),
                     "languages": _counts(group[V.LANG]), "channels": _counts(group[V.CHANNEL]),
                     "keywords": json.dumps({"nl": ["app", "uitloggen"]}),
                     "shared_score": float((group[V.SENTIMENT] == "negative").sum())})
    themes = pd.DataFrame(rows)
    pain = shared_pain_points(comments, themes, employee=["employee"], customer=["customer"], min_link_negative=2)
    themes["shared_rank"] = themes[V.THEME_ID].map(dict(zip(pain[V.THEME_ID], pain["shared_rank"])))
    cfg = ReportSettings(min_n=2)
    kpis = compute_kpis(comments, run_date="2026-11-30", run_id="r1", min_n=cfg.min_n)
    manifest = {"run_id": "r1", "run_date": "2026-11-30", "created": "2026-11-30T22:10:05+00:00",
                "txnlp_version": "0.0", "models": {"embedder": "fake"}, "inputs": [{"path": "in/feedback.csv", "rows": 9}],
                "counts": {"rows_in": 9, "rows_out": 9, "rows_quarantined": 0, "themes": 2},
                "quarantine_reasons": {}, "config": {}}
    return manifest, comments, themes, pain, kpis, kpis.copy(), cfg
