"""shared_pain_points: which themes are ranked, in which order, when a theme links EX and CX, which quotes it shows."""
import pandas as pd

from txnlp.nested import decode
from txnlp import vocab as V
from txnlp.themes.pain_points import PAIN_POINT_COLUMNS, shared_pain_points

SILOS = {"employee": ["employee"], "customer": ["customer"]}


def _comments(rows):
    """rows: (id, theme_id, audience, sentiment, sentiment_score)."""
    return pd.DataFrame([{V.ID: cid, V.TEXT: f"text of {cid}", V.LANG: "en", V.AUDIENCE: aud, V.CHANNEL: "app",
                          V.PILLAR: "CX", V.SENTIMENT: sent, V.SENTIMENT_SCORE: score, V.THEME_ID: tid}
                         for cid, tid, aud, sent, score in rows])


def _negatives(theme, n_employee, n_customer, prefix=None):
    prefix = prefix or f"t{theme}"
    return ([(f"{prefix}e{i}", theme, "employee", "negative", -0.5) for i in range(n_employee)]
            + [(f"{prefix}c{i}", theme, "customer", "negative", -0.5) for i in range(n_customer)])


def _themes(scores):
    return pd.DataFrame([{V.THEME_ID: t, "label": f"theme {t}", "shared_score": s} for t, s in scores.items()])


def test_pain_points_links_rank_first_then_shared_score():
    # theme 1 links EX and CX with a low score, theme 2 has the highest score but only customers complain,
    # theme 3 links with a middle score
    comments = _comments(_negatives(1, 2, 2) + _negatives(2, 0, 6) + _negatives(3, 3, 2))
    out = shared_pain_points(comments, _themes({1: 1.0, 2: 9.0, 3: 5.0}), **SILOS)
    assert list(out.columns) == list(PAIN_POINT_COLUMNS)
    assert out[V.THEME_ID].tolist() == [3, 1, 2]
    assert out["shared_rank"].tolist() == [1, 2, 3]
    assert out["ex_cx_link"].tolist() == [True, True, False]
    assert out["shared_score"].tolist() == [5.0, 1.0, 9.0]


def test_pain_points_without_link_ordered_by_shared_score():
    comments = _comments(_negatives(1, 0, 2) + _negatives(2, 0, 2) + _negatives(3, 2, 0))
    out = shared_pain_points(comments, _themes({1: 2.0, 2: 7.0, 3: 4.0}), **SILOS)
    assert out[V.THEME_ID].tolist() == [2, 3, 1]
    assert not out["ex_cx_link"].any()


def test_pain_points_outlier_and_ignored_themes_not_ranked():
    comments = _comments(_negatives(V.OUTLIER_THEME, 5, 5) + _negatives(4, 5, 5) + _negatives(8, 1, 1))
    out = shared_pain_points(comments, _themes({V.OUTLIER_THEME: 99.0, 4: 50.0, 8: 1.0}), ignore={4}, **SILOS)
    assert out[V.THEME_ID].tolist() == [8]
    assert out["shared_rank"].tolist() == [1]


def test_pain_points_nothing_to_rank_gives_the_columns():
    comments = _comments(_negatives(V.OUTLIER_THEME, 2, 2))
    out = shared_pain_points(comments, _themes({V.OUTLIER_THEME: 3.0}), **SILOS)
    assert out.empty and list(out.columns) == list(PAIN_POINT_COLUMNS)


def test_pain_points_link_needs_min_link_negative_on_each_side():
    comments = _comments(_negatives(1, 2, 2) + _negatives(2, 1, 5)
                         # positive employee comments do not make a link
                         + [("t2p0", 2, "employee", "positive", 0.9), ("t2p1", 2, "employee", "positive", 0.8)])
    themes = _themes({1: 1.0, 2: 1.0})

    def links(**kw):
        out = shared_pain_points(comments, themes, **SILOS, **kw)
        return dict(zip(out[V.THEME_ID], out["ex_cx_link"]))

    assert links() == {1: True, 2: False}  # default: 2 negative comments per side
    assert links(min_link_negative=1) == {1: True, 2: True}
    assert links(min_link_negative=3) == {1: False, 2: False}


def test_pain_points_why_and_counts_explain_the_row():
    comments = _comments(_negatives(1, 2, 2) + [("t1p", 1, "customer", "positive", 0.9)])
    row = shared_pain_points(comments, _themes({1: 1.0}), **SILOS).iloc[0]
    assert (row["size"], row["n_negative"], row["share_negative"]) == (5, 4, 0.8)
    assert decode("audiences", row["audiences"]) == {"customer": 3, "employee": 2}
    assert row["why"].startswith("4 of 5 comments negative; negative by silo: customer 2, employee 2")
    assert row["why"].endswith("(EX-CX link)")


def test_pain_points_quotes_most_negative_first():
    comments = _comments([
        ("e-mild", 1, "employee", "negative", -0.2), ("e-worst", 1, "employee", "negative", -0.9),
        ("e-b", 1, "employee", "negative", -0.5), ("e-a", 1, "employee", "negative", -0.5),  # tie: by id
        ("e-happy", 1, "employee", "positive", -0.95),  # not negative: never an employee quote
        ("c-mild", 1, "customer", "negative", -0.1), ("c-worst", 1, "customer", "negative", -0.8),
    ])
    row = shared_pain_points(comments, _themes({1: 1.0}), **SILOS, quotes=3).iloc[0]
    ids = lambda cell: [q["id"] for q in decode("quotes", cell)]
    assert ids(row["employee_quotes"]) == ["e-worst", "e-a", "e-b"]
    assert ids(row["customer_quotes"]) == ["c-worst", "c-mild"]
    assert decode("employee_quotes", row["employee_quotes"])[0] == {"id": "e-worst", "lang": "en", "text": "text of e-worst"}
    silo = {k: [q["id"] for q in v] for k, v in decode("silo_quotes", row["silo_quotes"]).items()}
    assert silo == {"customer": ["c-worst", "c-mild"], "employee": ["e-worst", "e-a", "e-b"]}


def test_pain_points_no_link_no_ex_cx_quotes():
    comments = _comments(_negatives(1, 1, 3))
    row = shared_pain_points(comments, _themes({1: 1.0}), **SILOS).iloc[0]
    assert decode("employee_quotes", row["employee_quotes"]) == [] and decode("customer_quotes", row["customer_quotes"]) == []
    assert len(decode("silo_quotes", row["silo_quotes"])["customer"]) == 2  # silo quotes are still shown (quotes=2)
