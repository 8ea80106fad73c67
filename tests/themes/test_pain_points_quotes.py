"""shared_pain_points quotes: a silo's most typical negative comments first (centre_similarity), not its angriest."""
import numpy as np
import pandas as pd
import pytest

from txnlp.nested import decode
from txnlp import vocab as V
from txnlp.themes.pain_points import shared_pain_points

SILOS = {"employee": ["employee"], "customer": ["customer"]}
THEMES = pd.DataFrame([{V.THEME_ID: 1, "label": "customer history", "shared_score": 1.0}])

# (id, audience, sentiment, sentiment_score, centre_similarity)
ROWS = [
    ("e-typical", "employee", "negative", -0.3, 0.92),
    ("e-billing-rant", "employee", "negative", -0.99, 0.15),  # the angriest, but about billing
    ("e-fairly", "employee", "negative", -0.5, 0.70),
    ("e-tie-b", "employee", "negative", -0.4, 0.60), ("e-tie-a", "employee", "negative", -0.6, 0.60),
    ("e-praise", "employee", "positive", 0.8, 0.99),  # most typical, not negative: never a quote here
    ("c-typical", "customer", "negative", -0.2, 0.88), ("c-off", "customer", "negative", -0.9, 0.05),
    ("v-typical", "visitor", "neutral", 0.0, 0.80), ("v-odd", "visitor", "positive", 0.5, 0.10),
]


def _comments():
    return pd.DataFrame([{V.ID: cid, V.TEXT: f"text of {cid}", V.LANG: "en", V.AUDIENCE: aud, V.CHANNEL: "app",
                          V.PILLAR: "CX", V.SENTIMENT: sent, V.SENTIMENT_SCORE: score, V.THEME_ID: 1}
                         for cid, aud, sent, score, _ in ROWS])


def _ids(cell):
    return [q["id"] for q in decode("quotes", cell)]


def test_pain_points_quotes_typical_negative_first():
    similarity = np.array([r[4] for r in ROWS])
    row = shared_pain_points(_comments(), THEMES, **SILOS, quotes=4, centre_similarity=similarity).iloc[0]
    assert _ids(row["employee_quotes"]) == ["e-typical", "e-fairly", "e-tie-a", "e-tie-b"]  # ties: by id
    assert _ids(row["customer_quotes"]) == ["c-typical", "c-off"]
    silo = {k: _ids(v) for k, v in decode("silo_quotes", row["silo_quotes"]).items()}
    assert silo["employee"][:2] == ["e-typical", "e-fairly"] and "e-billing-rant" not in silo["employee"]
    assert silo["visitor"] == ["v-typical", "v-odd"]  # no negative comment in the silo: its most typical ones


def test_pain_points_quotes_without_similarity_most_negative_first():
    row = shared_pain_points(_comments(), THEMES, **SILOS, quotes=2, centre_similarity=None).iloc[0]
    assert _ids(row["employee_quotes"]) == ["e-billing-rant", "e-tie-a"]


def test_pain_points_quotes_similarity_must_match_the_rows():
    with pytest.raises(ValueError, match="3 values for 10 comments"):
        shared_pain_points(_comments(), THEMES, **SILOS, centre_similarity=np.zeros(3))
