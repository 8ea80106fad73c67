"""Model cards name the sources and print the figures they are given, and nothing they are not given."""
import json

from conftest import REPO
from txnlp.training.cards import finetuned_card, pillar_card, sentiment_card

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
    # an older meta without eval_data/eval_overlap: the files it names, and no claim about overlap it never checked
    assert ("Macro-F1 over the labels present on 510 rows of shared/eval/sentiment/de.csv, shared/eval/sentiment/en.csv;"
            " not checked against the training data.") in card
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
    assert "Not measured: no evaluation data was given when this model was trained." in card
    assert "| - | - | - |" in card and "never trained or tuned on" not in card


def test_pillar_card_names_its_sources_and_figures():
    meta = {"model_id": "pillar-linear-8686bcdb", "embedder": "e5-small-q4", "date": "2026-11-30", "train_rows": 264,
            "train_label_counts": {"CX": 80, "EX": 70, "MX": 50, "UX": 64},
            "train_sources": ["seed examples", "pillar descriptions"],
            "context_values": {"audience": ["customer", "employee"], "channel": ["app"]},
            "params": {"C": 2.0}, "eval_name": "data/sample_labels/pillar.csv",
            "metrics": {"all": {"n": 428, "macro_f1": 0.8312}, "nl": {"n": 100, "macro_f1": 0.79}}}
    card = pillar_card(meta)
    assert "\n# pillar-linear-8686bcdb\n" in card
    assert "264 rows ({'CX': 80, 'EX': 70, 'MX': 50, 'UX': 64}), read from:\n- `seed examples`\n- `pillar descriptions`" in card
    assert "one-hot context (audience, channel)" in card
    assert "Primary-pillar macro-F1 on 428 rows of data/sample_labels/pillar.csv; not checked" in card
    assert "Learned from the 264 rows above, measured on 428 rows" in card
    assert "| all | 428 | 0.831 |" in card and "| nl | 100 | 0.790 |" in card
    assert "**Params:** {'C': 2.0}" in card and "**Date:** 2026-11-30" in card
    assert "_No comparison recorded for this model._" in card


def test_sentiment_card_says_what_the_training_run_read_and_scored():
    meta = {**SENTIMENT_META, "train_data": [{"path": "team/a.csv", "rows": 1000}, {"path": "team/b.csv", "rows": 234}],
            "eval_data": [{"path": "held/de.csv", "rows": 210}, {"path": "held/en.csv", "rows": 300}], "eval_overlap": 12}
    card = sentiment_card(meta)
    assert "- `team/a.csv` (1,000 rows)\n- `team/b.csv` (234 rows)" in card
    assert "shared/train" not in card  # train_data wins over the bare file names
    assert ("on 510 rows of `held/de.csv`, `held/en.csv`; 12 of them also occur in the training data, so these "
            "figures are optimistic.") in card
    clean = sentiment_card({**meta, "eval_overlap": 0})
    assert "none of them occur in the training data" in clean


RETRAIN_META = {
    "model_id": "sentiment-ft-1a2b3c4d", "task": "sentiment+pillar", "retrained_for": "sentiment",
    "init": "sentiment-ft-e5t3-20261202", "train_files": ["team.csv"],
    "train_data": [{"path": "labelled/team.csv", "rows": 480}], "train_rows": 480,
    "train_label_counts": {"negative": 200, "neutral": 80, "positive": 200}, "replay_rows": 2000,
    "replay_files": ["feedback_register.csv"], "training": {"top_layers": 3, "epochs": 3, "epochs_run": 2},
    "dev": {"sentiment": 0.81}, "wall_s": 512.3, "date": "2026-12-02",
    "eval_data": [{"path": "labelled/holdout.csv", "rows": 120}], "eval_overlap": 0,
    "metrics": {"all": {"n": 120, "macro_f1": 0.7712}, "nl": {"n": 120, "macro_f1": 0.7712}},
    "figures": {"eval": {"all": 0.7712, "nl": 0.7712}},
}


def test_finetuned_card_of_a_retrain_names_its_data_and_borrows_no_comparison():
    card = finetuned_card(RETRAIN_META)
    assert "Retrained for sentiment from `sentiment-ft-e5t3-20261202`" in card and "2000 replay rows" in card
    assert "- `labelled/team.csv` (480 rows)" in card
    assert "on 120 rows of `labelled/holdout.csv`; none of them occur in the training data." in card
    assert "| eval | 0.771 | 0.771 |" in card
    assert "_None compared in this retrain; the comparison behind `sentiment-ft-e5t3-20261202` is in its card._" in card
    unmeasured = finetuned_card({**RETRAIN_META, "eval_data": [], "metrics": {}, "figures": {}})
    assert "Not measured: no evaluation data was given" in unmeasured and "_Not measured yet._" in unmeasured


def test_finetuned_card_of_the_champion_is_what_its_meta_gives():
    """The committed champion's card and registry hashes stay as they are: its meta still renders the same card."""
    folder = REPO / "models" / "sentiment" / "sentiment-ft-e5t3-20261202"
    meta = json.loads((folder / "meta.json").read_text())
    assert finetuned_card(meta).strip() == (folder / "README.md").read_text().strip()
