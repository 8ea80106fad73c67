"""Model cards name the sources and print the figures they are given, and nothing they are not given."""
from txnlp.training.cards import pillar_card, sentiment_card

SENTIMENT_META = {
    "model_id": "sentiment-linear-1a2b3c", "embedder": "e5-small-q4", "embedder_prefix": "query: ",
    "date": "2026-11-29", "train_rows": 1234, "train_label_counts": {"negative": 400, "neutral": 434, "positive": 400},
    "train_files": ["shared/train/sentiment/tweets_nl.csv", "shared/train/sentiment/reviews_ru.csv"],
    "eval_files": ["shared/eval/sentiment/de.csv", "shared/eval/sentiment/en.csv"],
    "metrics": {"de": {"n": 210, "macro_f1": 0.61234}, "en": {"n": 300, "macro_f1": 0.7}},
    "c_selection": 4.0, "temperature": 1.25, "features": "base",
    "approaches": {"linear": {"macro_f1": {"de": 0.612, "en": 0.7}, "train_s": 3.2, "texts_per_s": 410, "size": "12 kB",
                              "kept": "yes"},
                   "knn": {"macro_f1": {"en": 0.55}, "train_s": 0.1}},
}


def test_sentiment_card_names_its_sources_and_figures():
    card = sentiment_card(SENTIMENT_META)
    assert card.startswith("---\n") and "\n# sentiment-linear-1a2b3c\n" in card
    for name in SENTIMENT_META["train_files"]:
        assert f"- `{name}`" in card
    assert "on shared/eval/sentiment/de.csv, shared/eval/sentiment/en.csv (never trained or tuned on)" in card
    assert "| de | 210 | 0.612 |" in card and "| en | 300 | 0.700 |" in card
    assert "1234 rows ({'negative': 400, 'neutral': 434, 'positive': 400})" in card
    assert "(`e5-small-q4`, prefix `query: `)" in card
    assert "C=4.0" in card and "logit temperature 1.25" in card and "**Date:** 2026-11-29" in card
    assert "| approach | de | en | train s |" in card
    assert "| linear | 0.612 | 0.700 | 3.2 | 410 | 12 kB | yes |" in card
    assert "| knn | - | 0.550 | 0.1 | - | - |  |" in card  # what was not measured is a dash, not a made-up figure
    assert "USE v3" not in card


def test_sentiment_card_with_use_features_and_nothing_compared():
    card = sentiment_card({**SENTIMENT_META, "features": "e5+use", "approaches": {}, "metrics": {}, "eval_files": []})
    assert "multilingual USE v3 (512-d" in card
    assert "_No comparison recorded for this model._" in card
    assert "on no files (never trained or tuned on)" in card and "| - | - | - |" in card


def test_pillar_card_names_its_sources_and_figures():
    meta = {"model_id": "pillar-linear-8686bcdb", "embedder": "e5-small-q4", "date": "2026-11-30", "train_rows": 264,
            "train_label_counts": {"CX": 80, "EX": 70, "MX": 50, "UX": 64},
            "train_sources": ["seed examples", "pillar descriptions"],
            "context_values": {"audience": ["customer", "employee"], "channel": ["app"]},
            "params": {"C": 2.0}, "eval_name": "data/sample_labels/pillar.csv",
            "metrics": {"all": {"n": 428, "macro_f1": 0.8312}, "nl": {"n": 100, "macro_f1": 0.79}}}
    card = pillar_card(meta)
    assert "\n# pillar-linear-8686bcdb\n" in card
    assert "264 rows ({'CX': 80, 'EX': 70, 'MX': 50, 'UX': 64}): seed examples, pillar descriptions." in card
    assert "one-hot context (audience, channel)" in card
    assert "Primary-pillar macro-F1 on data/sample_labels/pillar.csv:" in card
    assert "| all | 428 | 0.831 |" in card and "| nl | 100 | 0.790 |" in card
    assert "**Params:** {'C': 2.0}" in card and "**Date:** 2026-11-30" in card
    assert "_No comparison recorded for this model._" in card
