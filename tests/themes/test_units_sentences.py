"""Theme units: sentence units map back to their comments, short fragments are joined, comment units are 1:1."""
import pandas as pd

from txnlp import vocab as V
from txnlp.themes.units import UNIT_INDEX, UNIT_ROW, CommentUnits, SentenceUnits, join_short

TWO = "The app crashes every time I log in. The invoice was wrong again this month."
THANKS = "Die Rechnung stimmt schon wieder nicht. Danke!"


def _frame(texts, langs, ids, index=None):
    return pd.DataFrame({V.ID: ids, V.LANG: langs, V.TEXT: texts}, index=index)


def test_sentence_units_rows_map_back_to_comments():
    # an index that is not 0..n-1: `row` is the position in the frame, not the label
    frame = _frame([TWO, "Short one.", ""], ["en", "en", "en"], ["a", "b", "c"], index=[30, 10, 20])
    units = SentenceUnits(min_chars=5)(frame)
    assert list(units.columns) == [UNIT_ROW, UNIT_INDEX, V.ID, V.LANG, V.TEXT]
    assert units[UNIT_ROW].tolist() == [0, 0, 1, 2]
    assert units[UNIT_INDEX].tolist() == [0, 1, 0, 0]
    assert units[V.ID].tolist() == frame[V.ID].iloc[units[UNIT_ROW]].tolist()
    assert units[V.TEXT].tolist() == ["The app crashes every time I log in.", "The invoice was wrong again this month.",
                                      "Short one.", ""]  # every comment keeps at least one unit, even an empty one


def test_sentence_units_min_chars_joins_short_fragments():
    frame = _frame([THANKS], ["de"], ["x"])
    assert SentenceUnits(min_chars=20)(frame)[V.TEXT].tolist() == ["Die Rechnung stimmt schon wieder nicht. Danke!"]
    assert SentenceUnits(min_chars=1)(frame)[V.TEXT].tolist() == ["Die Rechnung stimmt schon wieder nicht.", "Danke!"]


def test_join_short_joins_to_the_unit_before_or_a_short_first_one_to_the_next():
    assert join_short(["Long enough sentence here.", "Top.", "Another long sentence."], 10) == [
        "Long enough sentence here. Top.", "Another long sentence."]
    assert join_short(["Top.", "Another long sentence.", "And one more long one."], 10) == [
        "Top. Another long sentence.", "And one more long one."]
    assert join_short([], 10) == []


def test_sentence_units_max_units_caps_units_per_comment():
    text = " ".join(f"Sentence number {i} is long enough." for i in range(5))
    units = SentenceUnits(min_chars=5, max_units=3)(_frame([text], ["en"], ["m"]))
    assert len(units) == 3
    assert units[V.TEXT].iloc[-1] == "Sentence number 2 is long enough. Sentence number 3 is long enough. " \
                                     "Sentence number 4 is long enough."


def test_comment_units_one_unit_per_comment():
    frame = _frame([TWO, THANKS], ["en", "de"], ["a", "b"], index=[7, 3])
    units = CommentUnits()(frame)
    assert units[UNIT_ROW].tolist() == [0, 1] and units[UNIT_INDEX].tolist() == [0, 0]
    assert units[V.ID].tolist() == ["a", "b"] and units[V.TEXT].tolist() == [TWO, THANKS]
