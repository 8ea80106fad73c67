"""Redaction recall and precision on the hand-labelled strings of each language (data/pii/)."""
from pathlib import Path

import pytest

from txnlp.text.pii_eval import read_labelled_pii, score_redaction

LABELLED = read_labelled_pii(Path(__file__).resolve().parents[2] / "data" / "pii")


@pytest.mark.parametrize("lang", ["nl", "de", "ru", "en"])
def test_pii_eval_recall_and_precision_per_language(lang):
    score = score_redaction(LABELLED[lang])
    assert score["n_pii"] >= 10
    assert score["recall"] >= 0.95 and score["precision"] >= 0.95, score
    assert score["false_positive_lines"] == 0, score
