"""report.sections: the plain data each report section renders, from hand-made output tables."""
import json
import math

import pandas as pd

from txnlp import vocab as V
from txnlp.report.sections import all_themes, emerging_themes, kpi_rows, promoter_quotes


def _kpis(rows):
    """rows: (dimension, value, label, metric, figure, n, small_n)."""
    return pd.DataFrame(rows, columns=["dimension", "value", "label", "metric", "figure", "n", "small_n"])


def test_kpi_rows_one_per_value_largest_volume_first():
    kpis = _kpis([
        ("pillar", "UX", "UX", "volume", 3.0, 3, False), ("pillar", "UX", "UX", "share_negative", 0.6667, 3, False),
        ("pillar", "CX", "CX", "volume", 10.0, 10, False), ("pillar", "CX", "CX", "share_negative", 0.25, 8, False),
        ("pillar", "CX", "CX", "not_a_shown_metric", 1.0, 10, False),
        ("pillar", "MX", "MX", "volume", 1.0, 1, True),
        ("channel", "app", "app", "volume", 99.0, 99, False),
    ])
    rows = kpi_rows(kpis, "pillar")
    assert [r["value"] for r in rows] == ["CX", "UX", "MX"]
    assert rows[0] == {"value": "CX", "label": "CX", "volume": {"figure": 10.0, "n": 10, "small_n": False},
                       "share_negative": {"figure": 0.25, "n": 8, "small_n": False}}
    assert rows[2] == {"value": "MX", "label": "MX", "volume": {"figure": 1.0, "n": 1, "small_n": True}}
    assert kpi_rows(kpis, "language") == []


def _theme(theme_id, rank, **extra):
    row = {V.THEME_ID: theme_id, "label": f"theme {theme_id}", "size": 4, "share_negative": 0.5, "mean_sentiment": -0.1,
           "shared_rank": rank, "audiences": json.dumps({"customer": 4}), "languages": json.dumps({"nl": 4}),
           "keywords": json.dumps({"nl": ["app", "uitloggen"]})}
    return {**row, **extra}


def test_all_themes_ranked_first_then_unranked_by_id_outliers_last():
    themes = pd.DataFrame([_theme(V.OUTLIER_THEME, math.nan), _theme(7, math.nan), _theme(5, 2), _theme(2, math.nan),
                           _theme(9, 1)])
    rows = all_themes(themes)
    assert [r[V.THEME_ID] for r in rows] == [9, 5, 2, 7, V.OUTLIER_THEME]
    assert [r["rank"] for r in rows] == [1, 2, None, None, None]
    assert rows[0]["keywords"] == {"nl": ["app", "uitloggen"]} and rows[0]["audiences"] == {"customer": 4}


def test_emerging_themes_none_without_the_column():
    assert emerging_themes(pd.DataFrame([_theme(1, 1)])) is None


def test_emerging_themes_lists_flagged_ones_but_not_the_outliers():
    themes = pd.DataFrame([_theme(1, 1, emerging=True, emerging_reason="new"),
                           _theme(2, 2, emerging=False, emerging_reason=""),
                           _theme(3, math.nan, emerging=None, emerging_reason=""),
                           _theme(V.OUTLIER_THEME, math.nan, emerging=True, emerging_reason="new")])
    rows = emerging_themes(themes)
    assert rows == [{"theme_id": 1, "label": "theme 1", "size": 4, "share_negative": 0.5,
                     "extra": {"emerging_reason": "new"}}]
    assert emerging_themes(themes.assign(emerging=False)) == []


def _scored_comments():
    rows = [("p-top", "1", "positive", 0.9, 10), ("p-ok", "1", "positive", 0.4, 9), ("d-worst", "1", "negative", -0.9, 0),
            ("d-mild", "1", "negative", -0.2, 6), ("d-neutral", "1", "neutral", -0.95, 3), ("passive", "1", "positive", 0.99, 8),
            ("p-two", "2", "neutral", 0.1, 9), ("unscored", "3", "positive", 0.99, None)]
    comments = pd.DataFrame([{V.ID: cid, V.THEME_ID: int(tid), V.LANG: "en", V.TEXT: f"text of {cid}", V.SENTIMENT: s,
                              V.SENTIMENT_SCORE: sc} for cid, tid, s, sc, _ in rows],
                            index=range(100, 100 + len(rows)))  # not a 0..n index: the score is aligned by index
    scores = pd.Series([r[4] for r in rows], index=comments.index, dtype=float)
    return comments, scores


def test_promoter_quotes_most_positive_promoter_per_theme():
    comments, scores = _scored_comments()
    quotes = promoter_quotes(comments, ["1", "2", "3"], scores, promoters=True)
    assert quotes == {"1": {"id": "p-top", "lang": "en", "text": "text of p-top"},  # 8 is a passive, not a promoter
                      "2": {"id": "p-two", "lang": "en", "text": "text of p-two"}}  # theme 3 has no scored comment


def test_promoter_quotes_detractors_most_negative_negative_first():
    comments, scores = _scored_comments()
    quotes = promoter_quotes(comments, ["1", "2"], scores, promoters=False)
    # d-neutral scores lower but is not negative; negative comments are quoted first
    assert quotes == {"1": {"id": "d-worst", "lang": "en", "text": "text of d-worst"}}
