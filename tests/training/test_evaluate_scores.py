import pandas as pd

from txnlp.training.evaluate import classification_report, score_run


def test_classification_report_macro_f1_over_present_labels():
    report = classification_report(["positive", "negative", "positive"], ["positive", "positive", "positive"],
                                   ("negative", "neutral", "positive"))
    assert report["per_class"].keys() == {"negative", "positive"}
    assert report["macro_f1"] == round((0 + 0.8) / 2, 4)
    assert report["confusion"][0] == [0, 0, 1]


def test_score_run_against_labels():
    comments = pd.DataFrame({"id": ["a", "b", "c", "d"], "lang": ["en", "nl", "de", "ru"],
                             "sentiment": ["negative"] * 4, "pillar": ["CX", "CX", "EX", "EX"], "theme_id": [0, 0, 1, 1]})
    labels = pd.DataFrame({"id": ["a", "b", "c", "d"], "lang": ["en", "nl", "de", "en"],
                           "sentiment": ["negative"] * 4, "pillar": ["CX", "CX", "EX", "UX"],
                           "theme": ["x", "x", "y", ""]})
    scores = score_run(comments, labels)
    assert scores["lang_accuracy"] == 0.75
    assert scores["theme_ari"] == 1.0 and scores["theme_purity"] == {"x": 1.0, "y": 1.0}
    assert scores["sentiment"]["macro_f1"] == 1.0
