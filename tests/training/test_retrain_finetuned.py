"""A data team's retrain when the champion is a fine-tuned encoder: fine-tune from it, gate on the hold-out."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from test_finetune_tiny import planted
from tiny_encoder import build_tiny_encoder
from txnlp.config import FinetuneSettings
from txnlp.training import retrain as rt
from txnlp.training.champions import champion, promote
from txnlp.training.finetune import finetune
from txnlp.embed.split_encoder import SplitEncoder


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny"), layers=4, max_seq_length=16)


@pytest.fixture(scope="module")
def trained_dir(base, tmp_path_factory):
    model = finetune(planted(180, 0), base_path=base, top_layers=2, epochs=8, lr_layers=3e-3, lr_heads=3e-2,
                     batch_size=16, dev_share=0.15, evals_per_epoch=1, patience=4, seed=0, progress=False)
    return model.save(tmp_path_factory.mktemp("m") / "trained", meta={"model_id": "trained"})


@pytest.fixture(scope="module")
def untrained_dir(base, tmp_path_factory):
    model = SplitEncoder(base, top_layers=2, max_seq_length=16, window_overlap=4).init_task_parts()
    return model.save(tmp_path_factory.mktemp("m") / "untrained", meta={"model_id": "untrained"})


def labelled_csv(path, frame):
    frame.rename(columns={"sentiment": "label"})[["text", "label", "lang", "audience"]].to_csv(path, index=False)
    return path


def gate_figures(model_dir, holdout, base):
    sets = rt.evaluation_sets("sentiment", holdout, [], None)
    return rt.evaluate_model("sentiment", model_dir, sets, None, base_path=base)["gate"]


def test_retrain_gate_refuses_a_worse_finetuned_model_and_accepts_a_better_one(base, trained_dir, untrained_dir,
                                                                                tmp_path):
    holdout = labelled_csv(tmp_path / "holdout.csv", planted(60, 9))
    registry = tmp_path / "registry.json"
    good, bad = gate_figures(trained_dir, holdout, base), gate_figures(untrained_dir, holdout, base)
    assert good["overall"] > bad["overall"] + 0.2
    promote(registry, "sentiment", trained_dir, good)
    refused = rt.decide_and_promote("sentiment", registry, untrained_dir, bad, good, tmp_path / "models")
    assert not refused["promoted"] and champion(registry, "sentiment")["model_id"] == "trained"
    promote(registry, "sentiment", untrained_dir, bad)
    accepted = rt.decide_and_promote("sentiment", registry, trained_dir, good, bad, tmp_path / "models")
    assert accepted["promoted"] and champion(registry, "sentiment")["model_id"] == "trained"


def test_retrain_finetunes_from_the_champion_with_replay(base, trained_dir, tmp_path):
    registry = tmp_path / "registry.json"
    promote(registry, "sentiment", trained_dir, {"overall": 0.5})
    init = rt.finetune_init("sentiment", registry)
    assert init is not None and init.name == "trained"
    replay = tmp_path / "replay"
    replay.mkdir()
    planted(40, 5).rename(columns={"sentiment": "label"}).to_csv(replay / "register.csv", index=False)
    team = labelled_csv(tmp_path / "team.csv", planted(60, 3))
    settings = FinetuneSettings(epochs=1, batch_size=16, max_length=16, replay_rows=20, replay_dirs=(replay,))
    out = rt.train_challenger("sentiment", [team], tmp_path / "challenger", None, init=init, base_path=base,
                              finetune_settings=settings)
    meta = json.loads((tmp_path / "challenger" / "meta.json").read_text())
    assert out == str(tmp_path / "challenger")
    assert meta["init"] == "trained" and meta["train_rows"] == 60 and meta["replay_rows"] == 20
    assert meta["replay_files"] == ["register.csv"] and meta["training"]["replay_rows"] == 20
    card = (tmp_path / "challenger" / "README.md").read_text()
    assert "team.csv" in card and "Retrained for sentiment from `trained`" in card
    model = rt.load_model("sentiment", tmp_path / "challenger", base)
    pred = rt.predict_labelled("sentiment", model, pd.read_csv(team), None)
    assert len(pred) == 60 and set(pred) <= {"negative", "neutral", "positive"}


def test_retrain_linear_champion_is_not_finetuned(tmp_path, tiny_sentiment):
    registry = tmp_path / "registry.json"
    tiny_sentiment.save(tmp_path / "linear")
    promote(registry, "sentiment", tmp_path / "linear", {"overall": 0.5})
    assert rt.finetune_init("sentiment", registry) is None
    assert rt.finetune_init("pillar", registry) is None  # no champion at all
