import pandas as pd

from txnlp.text.screen import screen


def _frame(texts, ids=None):
    n = len(texts)
    return pd.DataFrame({"id": ids or [f"r{i}" for i in range(n)], "text": texts, "source": "s",
                         "input_file": "f.csv", "input_row": range(2, n + 2)})


def test_screen_quarantines_each_bad_row_with_reason():
    texts = ["fine", "", "   ", None, "x" * 51, "nul\x00"]
    kept, bad = screen(_frame(texts), max_text_chars=50)
    assert kept["text"].tolist() == ["fine"]
    reasons = [q["reason"] for q in bad]
    assert reasons[0:3] == ["empty text", "empty text", "missing text"]
    assert reasons[3].startswith("text too long (51 chars")
    assert reasons[4:] == ["NUL byte in text"]
    assert len(kept) + len(bad) == len(texts)


def test_screen_duplicate_id_keeps_first():
    kept, bad = screen(_frame(["a", "b"], ids=["same", "same"]), max_text_chars=10)
    assert kept["text"].tolist() == ["a"] and bad[0]["reason"].startswith("duplicate id")
