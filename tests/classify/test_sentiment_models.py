import numpy as np
import pandas as pd
import pytest

from txnlp.classify import LinearSentimentClassifier, PillarTagger, PrototypePillarClassifier, SentimentTagger
from txnlp.errors import ArtifactError, InputDataError, NotFittedError


def _blobs(n_per=30, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:3] * 3
    x = np.vstack([c + rng.normal(size=(n_per, dim)) for c in centres]).astype(np.float32)
    y = np.repeat(["negative", "neutral", "positive"], n_per)
    return x, y


def test_sentiment_fit_beats_chance_on_held_out_rows():
    x, y = _blobs()
    idx = np.random.default_rng(1).permutation(len(y))
    train, test = idx[:60], idx[60:]
    clf = LinearSentimentClassifier().fit(x[train], y[train])
    assert (clf.predict(x[test]) == y[test]).mean() > 0.6
    proba = clf.predict_proba(x[test])
    assert np.allclose(proba.sum(axis=1), 1) and clf.score_from_proba(proba).min() >= -1


def test_sentiment_unfitted_and_bad_labels_raise():
    with pytest.raises(NotFittedError):
        LinearSentimentClassifier().predict(np.zeros((1, 4)))
    with pytest.raises(InputDataError, match="unknown sentiment labels: \\['great'\\]"):
        LinearSentimentClassifier().fit(np.zeros((2, 4)), ["great", "negative"])


def test_sentiment_save_load_roundtrip_and_tamper(tmp_path):
    x, y = _blobs()
    clf = LinearSentimentClassifier().fit(x, y)
    clf.save(tmp_path / "m", meta={"model_id": "t"})
    loaded = LinearSentimentClassifier.load(tmp_path / "m")
    assert np.allclose(loaded.predict_proba(x), clf.predict_proba(x))
    weights = tmp_path / "m" / "weights.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="weights.safetensors: sha256 does not match"):
        LinearSentimentClassifier.load(tmp_path / "m")


def test_sentiment_binary_training_still_three_way_api():
    x, y = _blobs()
    keep = y != "neutral"
    clf = LinearSentimentClassifier().fit(x[keep], y[keep])
    assert clf.classes_ == ["negative", "positive"]
    assert (clf.predict(x[keep]) == y[keep]).mean() > 0.8


def test_taggers_return_columns_indexed_by_id(fake_embedder, tiny_sentiment):
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["great service, thank you", "awful app, crashes"]})
    emb = fake_embedder.encode(frame["text"].tolist())
    out = SentimentTagger(tiny_sentiment).predict(frame, emb)
    assert list(out.index) == ["a", "b"] and set(out.columns) == {"sentiment", "sentiment_score"}
    pillar = PrototypePillarClassifier().fit(np.eye(4, 64, dtype=np.float32), ["CX", "EX", "UX", "MX"])
    scores = PillarTagger(pillar).predict(frame, emb)
    assert list(scores.columns) == ["pillar", "score_cx", "score_ex", "score_ux", "score_mx"]
    assert np.allclose(scores.iloc[:, 1:].sum(axis=1), 1, atol=1e-3)


def test_pillar_prototype_picks_nearest_centroid():
    x = np.eye(4, dtype=np.float32)
    clf = PrototypePillarClassifier(temperature=0.1).fit(np.vstack([x, x]), ["CX", "EX", "UX", "MX"] * 2)
    assert clf.predict(x).tolist() == ["CX", "EX", "UX", "MX"]


def test_heads_load_checks_kind_and_restores_params_and_state(tmp_path):
    from txnlp.classify import LinearPillarClassifier

    x, y = _blobs()
    sentiment = LinearSentimentClassifier(C=0.5, features="base").fit(x, y)
    sentiment.temperature_ = 1.7
    sentiment.save(tmp_path / "s")
    pillar = LinearPillarClassifier(C=2.0, context_columns=("audience",)).fit(x, np.resize(["CX", "EX", "UX", "MX"], len(y)))
    pillar.save(tmp_path / "p")
    with pytest.raises(ArtifactError, match="kind 'linear-pillar' is not a linear sentiment model"):
        LinearSentimentClassifier.load(tmp_path / "p")
    with pytest.raises(ArtifactError, match="kind 'linear' is not a linear pillar model"):
        LinearPillarClassifier.load(tmp_path / "s")
    s, p = LinearSentimentClassifier.load(tmp_path / "s"), LinearPillarClassifier.load(tmp_path / "p")
    assert (s.C, s.temperature_, s.meta_["kind"]) == (0.5, 1.7, "linear")
    assert (p.C, p.context_columns, p.dim_, p.classes_) == (2.0, ("audience",), 16, pillar.classes_)
