"""KPI figures against values computed by hand on an 11-row table."""
import numpy as np
import pandas as pd
import pytest

from txnlp.io.history import append_kpi_history, history_path
from txnlp.report.kpis import compute_kpis, nine_plus_view, resolve_score_scale

ROWS = [  # id, audience, source, channel, lang, pillar, theme, sentiment, sentiment_score, score, score_scale
    ("a1", "customer", "survey", "app", "en", "CX", 0, "negative", -0.8, 0, None),     # nps detractor
    ("a2", "customer", "survey", "app", "nl", "CX", 0, "negative", -0.6, 6, None),     # nps detractor
    ("a3", "customer", "survey", "web", "en", "CX", 1, "positive", 0.9, 9, None),      # nps promoter
    ("a4", "customer", "survey", "web", "de", "UX", 1, "neutral", 0.0, 10, None),      # nps promoter
    ("a5", "customer", "survey", "shop", "en", "UX", 1, "positive", 0.5, 7, None),     # nps passive
    ("a6", "employee", "pulse", "survey", "en", "EX", 0, "negative", -0.4, 4, None),   # csat (by source) satisfied
    ("a7", "employee", "pulse", "survey", "nl", "EX", 0, "negative", -0.2, 2, None),   # csat not satisfied
    ("a8", "employee", "pulse", "survey", "nl", "EX", 1, "positive", 0.7, 5, None),    # csat satisfied
    ("a9", "customer", "survey", "app", "en", "CX", 0, "negative", -0.9, None, None),  # no score
    ("a10", "customer", "survey", "app", "en", "CX", 0, "neutral", 0.1, 11, None),     # out of 0-10: missing
    ("a11", "customer", "survey", "app", "en", "CX", 0, "positive", 0.3, 5, "csat"),   # own column: csat
]
COLUMNS = ["id", "audience", "source", "channel", "lang", "pillar", "theme_id", "sentiment", "sentiment_score",
           "score", "score_scale"]


@pytest.fixture()
def comments():
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["theme_label"] = frame["theme_id"].map({0: "app login", 1: "billing"})
    return frame


@pytest.fixture()
def kpis(comments):
    return compute_kpis(comments, run_date="2026-11-30", run_id="r1", min_n=3, scale_by_source={"pulse": "csat"})


def fig(kpis, dimension, value, metric):
    row = kpis[(kpis.dimension == dimension) & (kpis.value == value) & (kpis.metric == metric)]
    assert len(row) == 1, (dimension, value, metric)
    return float(row.figure.iloc[0]), int(row.n.iloc[0]), bool(row.small_n.iloc[0])


def test_kpis_score_scale_precedence(comments):
    scale = resolve_score_scale(comments, default="nps", by_source={"pulse": "csat"}, by_audience={"customer": "none"})
    assert scale.tolist() == ["none"] * 5 + ["csat"] * 3 + ["none", "none", "csat"]


def test_kpis_overall_matches_hand_computed(kpis):
    assert fig(kpis, "all", "all", "volume") == (11, 11, False)
    assert fig(kpis, "all", "all", "share_negative")[0] == pytest.approx(5 / 11, abs=1e-4)
    assert fig(kpis, "all", "all", "share_neutral")[0] == pytest.approx(2 / 11, abs=1e-4)
    assert fig(kpis, "all", "all", "share_positive")[0] == pytest.approx(4 / 11, abs=1e-4)
    assert fig(kpis, "all", "all", "net_sentiment")[0] == pytest.approx(-1 / 11, abs=1e-4)
    assert fig(kpis, "all", "all", "mean_sentiment")[0] == pytest.approx(-0.4 / 11, abs=1e-4)
    # NPS on a1, a2, a3, a4, a5 (a9 unscored, a10 out of range): 2 promoters, 2 detractors of 5
    assert fig(kpis, "all", "all", "nps") == (0.0, 5, False)
    assert fig(kpis, "all", "all", "promoters")[:2] == (2, 5)
    assert fig(kpis, "all", "all", "detractors")[:2] == (2, 5)
    # CSAT on a6 (4), a7 (2), a8 (5), a11 (5): 3 of 4 satisfied
    assert fig(kpis, "all", "all", "csat") == (75.0, 4, False)


def test_kpis_per_dimension_and_small_n(kpis):
    # CX: a1 a2 a3 a9 a10 a11 -> 3 negative, 2 positive; NPS on a1 a2 a3 = (1 - 2) / 3; CSAT on a11 alone
    assert fig(kpis, "pillar", "CX", "volume") == (6, 6, False)
    assert fig(kpis, "pillar", "CX", "net_sentiment")[0] == pytest.approx(-1 / 6, abs=1e-4)
    assert fig(kpis, "pillar", "CX", "nps") == (pytest.approx(-33.3333, abs=1e-3), 3, False)
    assert fig(kpis, "pillar", "CX", "csat") == (100.0, 1, True)
    assert fig(kpis, "audience", "employee", "share_negative")[0] == pytest.approx(2 / 3, abs=1e-4)
    assert fig(kpis, "audience", "employee", "csat") == (pytest.approx(66.6667, abs=1e-3), 3, False)
    assert not ((kpis.dimension == "audience") & (kpis.value == "employee") & (kpis.metric == "nps")).any()
    assert fig(kpis, "channel", "shop", "volume") == (1, 1, True)  # marked, not hidden
    assert fig(kpis, "language", "de", "share_neutral") == (1.0, 1, True)
    assert fig(kpis, "theme", "1", "volume")[:2] == (4, 4)
    assert set(kpis[kpis.dimension == "theme"].label) == {"app login", "billing"}
    assert set(kpis.run_date) == {"2026-11-30"} and set(kpis.run_id) == {"r1"}


def test_kpis_nine_plus_view(kpis):
    view = nine_plus_view(kpis)
    assert view["promoters"][["label", "count", "share"]].values.tolist() == [["billing", 2, 1.0]]
    assert view["detractors"][["label", "count", "share"]].values.tolist() == [["app login", 2, 1.0]]


def test_kpis_history_replaces_same_night(tmp_path, kpis):
    path = history_path(tmp_path / "run1", None)
    assert path == tmp_path / "history" / "kpi_history"
    append_kpi_history(kpis, path)
    other = kpis.assign(run_date="2026-11-29", run_id="r0")
    append_kpi_history(other, path)
    history = append_kpi_history(kpis.assign(figure=np.where(kpis.metric == "volume", 99.0, kpis.figure)), path)
    assert len(history) == 2 * len(kpis)
    assert sorted(history.run_date.unique()) == ["2026-11-29", "2026-11-30"]
    assert (history[(history.run_date == "2026-11-30") & (history.metric == "volume")].figure == 99).all()
