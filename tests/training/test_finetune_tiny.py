"""Fine-tuning the top layers of a tiny random BERT on a planted labelled set learns it, in seconds."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tiny_encoder import build_tiny_encoder
from txnlp.embed.split_encoder import SplitEncoder
from txnlp.errors import InputDataError
from txnlp.training.finetune import finetune, predict_states, prepare_frame, sampling_weights, trunk_states

CUE = {"positive": ["good", "great", "lovely"], "negative": ["bad", "awful", "broken"], "neutral": ["address", "today", "ok"]}
FILLER = ["the", "app", "staff", "was", "is", "and", "very", "train", "my", "order", "shop", "invoice"]
PILLAR_CUE = {"UX": "app", "CX": "shop", "EX": "staff"}


def planted(n: int, seed: int) -> pd.DataFrame:
    """Sentiment from a cue word; pillar from a topic word (customers) or EX for employees."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = ["negative", "neutral", "positive"][i % 3]
        audience = "employee" if i % 4 == 0 else "customer"
        topic = rng.choice(["UX", "CX"]) if audience == "customer" else "EX"
        words = list(rng.choice(FILLER, size=2)) + [rng.choice(CUE[label]), PILLAR_CUE[topic]]
        rng.shuffle(words)
        rows.append({"text": " ".join(words), "sentiment": label, "pillar": topic, "audience": audience,
                     "lang": ["en", "nl"][i % 2]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny"), layers=4, max_seq_length=16)


@pytest.fixture(scope="module")
def tuned(base):
    return finetune(planted(180, 0), base_path=base, top_layers=2, epochs=8, lr_layers=3e-3, lr_heads=3e-2,
                    batch_size=16, dev_share=0.15, evals_per_epoch=1, patience=4, seed=0, progress=False)


def test_finetune_tiny_beats_chance_on_held_out_rows(base, tuned):
    held_out = planted(90, 7)
    out = tuned.encode_all(held_out["text"].tolist(), audience=held_out["audience"].tolist())
    sentiment = np.asarray(out.sentiment_classes)[out.sentiment_proba.argmax(axis=1)]
    pillar = np.asarray(out.pillar_classes)[out.pillar_proba.argmax(axis=1)]
    assert (sentiment == held_out["sentiment"]).mean() > 0.7  # chance: 1/3
    assert (pillar == held_out["pillar"]).mean() > 0.7  # chance: about 1/3 (EX for employees, UX or CX)
    assert tuned.history_ and tuned.training_["top_layers"] == 2
    assert all(t > 0 for t in tuned.temperatures_.values())


def test_finetune_states_path_matches_serving_path(base, tuned):
    held_out = planted(12, 2)
    states = trunk_states(tuned, held_out["text"].tolist(), max_length=16)
    s, _ = predict_states(tuned, states, held_out["audience"].tolist())
    served = tuned.encode_all(held_out["text"].tolist(), audience=held_out["audience"].tolist())
    np.testing.assert_allclose(s, served.sentiment_proba, atol=2e-3)  # training keeps trunk states in fp16


def test_finetune_retrain_from_saved_model_with_replay(base, tuned, tmp_path):
    tuned.save(tmp_path / "champion")
    team = planted(60, 3)[["text", "sentiment", "lang"]]
    retrained = finetune(team, base_path=base, init=tmp_path / "champion", replay_frame=planted(60, 4), epochs=1,
                         batch_size=16, progress=False)
    assert retrained.top_layers == 2 and retrained.training_["replay_rows"] == 60
    assert retrained.training_["init"] == str(tmp_path / "champion")


def test_finetune_trunk_state_cache_keeps_no_text(base, tmp_path):
    model = SplitEncoder(base, top_layers=2, max_seq_length=16, window_overlap=4)
    texts = ["the invoice was late again", "lovely staff"]
    first = trunk_states(model, texts, max_length=16, cache_dir=tmp_path)
    again = trunk_states(model, texts[::-1], max_length=16, cache_dir=tmp_path)
    np.testing.assert_array_equal(first.hidden[0], again.hidden[1])
    np.testing.assert_array_equal(first.content[1], again.content[0])
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert b"invoice" not in f.read_bytes()


def test_finetune_sampling_balances_languages_and_classes():
    frame = prepare_frame(pd.DataFrame({
        "text": [f"t{i}" for i in range(13)],
        "sentiment": ["positive"] * 8 + ["negative"] * 2 + ["positive", "negative", "neutral"],
        "lang": ["de"] * 10 + ["nl"] * 3}))
    w = sampling_weights(frame, pillar_share=0.2)
    assert w[:10].sum() == pytest.approx(0.5) and w[10:].sum() == pytest.approx(0.5)
    assert w[:8].sum() == pytest.approx(w[8:10].sum())


def test_finetune_bad_labels_name_rows():
    with pytest.raises(InputDataError, match=r"unknown sentiment labels \['great'\] on rows \[1\]"):
        prepare_frame(pd.DataFrame({"text": ["a", "b"], "sentiment": ["positive", "great"]}))
    with pytest.raises(InputDataError, match="neither"):
        prepare_frame(pd.DataFrame({"text": ["a"], "sentiment": [""], "pillar": [""]}))
