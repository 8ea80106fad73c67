import pandas as pd
import pytest

from txnlp.text.normalise import Normaliser, normalise_text


@pytest.mark.parametrize("raw, expected", [
    ("CafÃ© is  <b>goed</b> &amp; snel", "Café is goed & snel"),
    ("line one<br>line two", "line one\nline two"),
    ("  zero\u200bwidth   spaces \t ", "zerowidth spaces"),
    ("Cafe\u0301", "Café"),
])
def test_normalise_text_examples(raw, expected):
    assert normalise_text(raw) == expected
    assert normalise_text(expected) == expected


def test_normaliser_marks_duplicates_without_dropping():
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Slow app", "slow  APP", "other"]})
    out = Normaliser()(frame)
    assert out["is_duplicate"].tolist() == [False, True, False]
    assert frame["text"].tolist() == ["Slow app", "slow  APP", "other"]  # input not mutated
