import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import NEGATIVE, NEUTRAL, POSITIVE
from txnlp.training import retrain as rt
from txnlp.classify import LinearSentimentClassifier
from txnlp.config import load_settings
from txnlp.errors import ArtifactError, ConfigError, InputDataError
from txnlp.io import artifacts
from txnlp.io.artifacts import sha256_file
from txnlp.io.labelled import read_labelled
from txnlp.training.champions import champion, champion_dir, gate, gate_rows, promote, read_registry, rollback
from txnlp.runner import load_sentiment


def _head(tmp_path, name, fake_embedder, shuffle=False):
    texts = POSITIVE + NEGATIVE + NEUTRAL
    labels = np.array(["positive"] * 6 + ["negative"] * 6 + ["neutral"] * 6, dtype=object)
    if shuffle:
        labels = np.random.default_rng(3).permutation(labels)
    clf = LinearSentimentClassifier(C=10.0).fit(fake_embedder.encode(texts), labels)
    return clf.save(tmp_path / name, meta={"model_id": name, "date": "2026-11-29"})


def test_gate_refuses_worse_and_language_drops_accepts_better():
    champ = {"en": 0.70, "de": 0.70, "overall": 0.70}
    ok, reason = gate({"en": 0.75, "de": 0.72, "overall": 0.735}, champ)
    assert ok is True and "0.7000 -> 0.7350" in reason
    ok, reason = gate({"en": 0.80, "de": 0.67, "overall": 0.735}, champ)
    assert not ok and "{'de': 0.03}" in reason  # better overall, but German drops 3 points
    ok, reason = gate({"en": 0.71, "de": 0.685, "overall": 0.6975}, champ)
    assert not ok and "not above" in reason
    assert gate({"en": 0.1, "overall": 0.1}, None) == (True, "no champion yet")


def test_gate_rows_are_the_figures_the_gate_compared():
    """Languages sorted, then `all` and `overall`; a language only one side measured has no change."""
    rows = gate_rows({"en": 0.80, "de": 0.67, "all": 0.74, "overall": 0.735},
                     {"en": 0.70, "de": 0.70, "ru": 0.9, "overall": 0.70})
    assert rows == [{"language": "de", "challenger": 0.67, "champion": 0.70, "change": -0.03},
                    {"language": "en", "challenger": 0.80, "champion": 0.70, "change": 0.1},
                    {"language": "ru", "challenger": None, "champion": 0.9, "change": None},
                    {"language": "all", "challenger": 0.74, "champion": None, "change": None},
                    {"language": "overall", "challenger": 0.735, "champion": 0.70, "change": 0.035}]
    assert [r["champion"] for r in gate_rows({"en": 0.5, "overall": 0.5}, None)] == [None, None]


def test_registry_promote_rollback_and_runner_uses_champion(tmp_path, fake_embedder):
    registry = tmp_path / "models" / "registry.json"
    a = _head(tmp_path / "models", "sent-a", fake_embedder)
    b = _head(tmp_path / "models", "sent-b", fake_embedder, shuffle=True)
    promote(registry, "sentiment", a, {"overall": 0.5})
    promote(registry, "sentiment", b, {"overall": 0.6})
    data = read_registry(registry)
    entry = data["models"]["sentiment"]["champion"]
    assert entry["model_id"] == "sent-b" and entry["path"] == "sent-b"
    assert set(entry["files"]) == {"weights.safetensors", "meta.json", "manifest.json"}
    settings = load_settings(None, models={"registry": str(registry)})
    assert load_sentiment(settings).meta_["model_id"] == "sent-b"
    assert rollback(registry, "sentiment")["model_id"] == "sent-a"
    assert load_sentiment(settings).meta_["model_id"] == "sent-a"
    with pytest.raises(ConfigError, match="no previous sentiment champion"):
        rollback(registry, "sentiment")
    explicit = load_settings(None, models={"registry": str(registry)}, sentiment={"model_dir": str(b)})
    assert load_sentiment(explicit).meta_["model_id"] == "sent-b"  # an explicit model_dir wins over the registry


def _flip_a_bit(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_registry_refuses_a_tampered_file(tmp_path, fake_embedder):
    registry = tmp_path / "registry.json"
    a = _head(tmp_path, "sent-a", fake_embedder)
    promote(registry, "sentiment", a, {})
    _flip_a_bit(a / "weights.safetensors")
    with pytest.raises(ArtifactError, match="weights.safetensors: sha256 does not match the manifest"):
        load_sentiment(load_settings(None, models={"registry": str(registry)}))


def test_registry_refuses_a_tampered_file_with_a_rewritten_manifest(tmp_path, fake_embedder):
    registry = tmp_path / "registry.json"
    a = _head(tmp_path, "sent-a", fake_embedder)
    promote(registry, "sentiment", a, {})
    _flip_a_bit(a / "weights.safetensors")
    manifest = json.loads((a / "manifest.json").read_text())
    manifest["files"]["weights.safetensors"] = sha256_file(a / "weights.safetensors")
    (a / "manifest.json").write_text(json.dumps(manifest))  # consistent with the weights, not with the registry
    with pytest.raises(ArtifactError, match="manifest.json: sha256 does not match the registry entry of sent-a"):
        champion_dir(registry, "sentiment")
    with pytest.raises(ArtifactError, match="manifest.json"):
        load_sentiment(load_settings(None, models={"registry": str(registry)}))


def test_registry_refuses_a_changed_file_the_manifest_does_not_list(tmp_path, fake_embedder):
    registry = tmp_path / "registry.json"
    a = _head(tmp_path, "sent-a", fake_embedder)
    (a / "notes.txt").write_text("added after saving")
    promote(registry, "sentiment", a, {})
    (a / "notes.txt").write_text("changed after promotion")
    with pytest.raises(ArtifactError, match="notes.txt: sha256 does not match the registry entry of sent-a"):
        champion_dir(registry, "sentiment")


def test_loading_a_champion_hashes_each_file_once(tmp_path, fake_embedder, monkeypatch):
    registry = tmp_path / "registry.json"
    a = _head(tmp_path, "sent-a", fake_embedder)
    promote(registry, "sentiment", a, {})
    settings = load_settings(None, models={"registry": str(registry)})
    hashed = []
    real = artifacts.sha256_file
    monkeypatch.setattr(artifacts, "sha256_file", lambda path: hashed.append(Path(path).name) or real(path))
    calls = {"n": 0}
    real_sha256 = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda *args: calls.__setitem__("n", calls["n"] + 1) or real_sha256(*args))
    assert load_sentiment(settings).meta_["model_id"] == "sent-a"
    assert sorted(hashed) == ["manifest.json", "meta.json", "weights.safetensors"]
    assert calls["n"] == 3  # nothing else hashes a file behind sha256_file's back


def _labelled(path, rows):
    pd.DataFrame(rows, columns=["text", "label", "lang"]).to_csv(path, index=False)
    return path


def _sentiment_rows(n=8):
    rows = []
    for i in range(n):
        for lang, pos, neg, neu in (("en", POSITIVE[0], NEGATIVE[0], NEUTRAL[0]), ("nl", POSITIVE[1], NEGATIVE[1], NEUTRAL[1])):
            rows += [(f"{pos} {i}", "positive", lang), (f"{neg} {i}", "negative", lang), (f"{neu} {i}", "neutral", lang)]
    return rows


def test_retrain_trains_beats_chance_gates_and_promotes(tmp_path, fake_embedder):
    data = _labelled(tmp_path / "team.csv", _sentiment_rows())
    split = rt.split_holdout([data], "sentiment", tmp_path / "work", holdout=0.25)
    good = rt.train_challenger("sentiment", [split["train"]], tmp_path / "cand" / "good", fake_embedder)
    sets = rt.evaluation_sets("sentiment", split["holdout"], [], None)
    good_figures = rt.evaluate_model("sentiment", good, sets, fake_embedder)
    assert good_figures["holdout"]["all"]["macro_f1"] > 0.6  # chance is 1/3
    registry = tmp_path / "models" / "registry.json"
    first = rt.decide_and_promote("sentiment", registry, good, good_figures["gate"], None, tmp_path / "models")
    assert first["promoted"] and champion(registry, "sentiment")["model_id"] == first["model_id"]
    # a challenger trained on shuffled labels must be refused on the same rows
    bad_train = pd.read_csv(split["train"])
    bad_train["label"] = np.random.default_rng(0).permutation(bad_train["label"].to_numpy())
    bad_train.to_csv(tmp_path / "bad.csv", index=False)
    bad = rt.train_challenger("sentiment", [tmp_path / "bad.csv"], tmp_path / "cand" / "bad", fake_embedder)
    champ = rt.champion_metrics_on("sentiment", registry, sets, fake_embedder)
    second = rt.decide_and_promote("sentiment", registry, bad, rt.evaluate_model("sentiment", bad, sets, fake_embedder)["gate"],
                                   champ["gate"], tmp_path / "models")
    assert not second["promoted"] and champion(registry, "sentiment")["model_id"] == first["model_id"]


def test_bad_label_files_get_clear_errors(tmp_path):
    bad = _labelled(tmp_path / "bad.csv", [("fine", "positive", "en"), ("meh", "mixed", "en"), ("no", "NEG", "en")])
    with pytest.raises(InputDataError, match=r"bad.csv: unknown labels \['NEG', 'mixed'\] on rows 3, 4"):
        read_labelled([bad], ("negative", "neutral", "positive"))
    (tmp_path / "nolabel.csv").write_text("text,sentiment\nhello,positive\n")
    with pytest.raises(InputDataError, match=r"nolabel.csv: columns \['label'\] missing"):
        read_labelled([tmp_path / "nolabel.csv"], ("positive",))
    with pytest.raises(ConfigError, match="unknown task 'topic'"):
        rt.check_task("topic")
    with pytest.raises(InputDataError, match="too few"):
        rt.split_holdout([_labelled(tmp_path / "tiny.csv", [("a", "CX", "en"), ("b", "EX", "en")])], "pillar", tmp_path)
