import numpy as np
import pandas as pd
import pytest

from txnlp.classify import LinearPillarClassifier, PillarTagger
from txnlp.errors import ArtifactError, InputDataError


def _data(seed=0, n=20):
    rng = np.random.default_rng(seed)
    labels = np.repeat(["CX", "EX", "UX", "MX"], n)
    x = np.vstack([np.eye(8)[i] * 2 + rng.normal(size=(n, 8)) for i in range(4)]).astype(np.float32)
    audience = np.where(labels == "EX", "employee", "customer")
    return x, labels, pd.DataFrame({"audience": audience, "channel": "survey"})


def test_pillar_linear_multilabel_scores_beat_chance_and_use_audience():
    x, y, ctx = _data()
    clf = LinearPillarClassifier(C=1.0).fit(x, y, ctx)
    xt, yt, ctxt = _data(seed=1)
    proba = clf.predict_proba(xt, ctxt)
    assert proba.shape == (80, 4) and proba.min() >= 0 and proba.max() <= 1
    assert (clf.predict(xt, ctxt) == yt).mean() > 0.6
    assert clf.context_values_ == {"audience": ["customer", "employee"], "channel": ["survey"]}
    out = PillarTagger(clf).predict(ctxt.assign(id=[f"r{i}" for i in range(80)]), xt)
    assert list(out.columns) == ["pillar", "score_cx", "score_ex", "score_ux", "score_mx"]


def test_pillar_linear_save_load_and_errors(tmp_path):
    x, y, ctx = _data()
    clf = LinearPillarClassifier().fit(x, y, ctx)
    clf.save(tmp_path / "p", meta={"model_id": "p", "embedder": "fake"})
    loaded = LinearPillarClassifier.load(tmp_path / "p")
    assert np.allclose(loaded.predict_proba(x, ctx), clf.predict_proba(x, ctx), atol=1e-6)
    assert np.allclose(loaded.predict_proba(x), clf.predict_proba(x), atol=1e-6)  # no context: zero block
    with pytest.raises(InputDataError, match=r"unknown pillar labels: \['ZX'\]"):
        LinearPillarClassifier().fit(x[:2], ["ZX", "CX"])
    (tmp_path / "p" / "meta.json").write_text("{}")
    with pytest.raises(ArtifactError, match="meta.json: sha256 does not match"):
        LinearPillarClassifier.load(tmp_path / "p")
