"""Theme stage: planted multilingual clusters, stable ids across runs, emerging themes, analyst edits."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from tests.themes.helpers import spectral
from txnlp.themes.edits import ThemeEdits, load_edits, merge, rename
from txnlp.errors import ConfigError
from txnlp.themes.ids import ThemeState, match_centroids
from txnlp.config import Settings
from txnlp.errors import NotFittedError
from txnlp.registry import build_theme_stage
from txnlp.themes.model import ThemeInputs, ThemeModel

LANGS = ["nl", "de", "ru", "en"]
WORDS = {0: "factuur rechnung счёт invoice", 1: "app login вход inloggen", 2: "wachten warten ждать waiting",
         3: "levering lieferung доставка delivery", 4: "rooster schicht смена shift"}


def _planted(topics=(0, 1, 2, 3), per_lang=6, dim=48, seed=0, shift=0.0):
    """Comments whose vectors = topic direction + a strong language direction + noise (the e5 problem)."""
    rng = np.random.default_rng(99)
    topic_dirs = rng.normal(size=(5, dim))
    lang_dirs = rng.normal(size=(4, dim)) * 1.6
    rng = np.random.default_rng(seed)
    rows, vecs = [], []
    for t in topics:
        for li, lang in enumerate(LANGS):
            for j in range(per_lang):
                vecs.append(topic_dirs[t] + lang_dirs[li] + rng.normal(size=dim) * (0.35 + shift))
                rows.append({"id": f"t{t}-{lang}-{j}-{seed}", "lang": lang, "text": f"{WORDS[t]} comment {j}",
                             "audience": "customer" if j % 2 else "employee", "channel": "app",
                             "sentiment": "negative", "sentiment_score": -0.7, "pillar": "CX", "truth": t})
    x = np.asarray(vecs, dtype=np.float32)
    return pd.DataFrame(rows), x / np.linalg.norm(x, axis=1, keepdims=True)


def _themer(k=4, **kw):
    tracking = Settings().tracking
    params = {"centre_languages": True, "min_theme_size": 3, "min_similarity": Settings().cluster.min_similarity,
              "min_coherence": Settings().cluster.min_coherence,
              "match_threshold": tracking.match_threshold,
              "assign_threshold": tracking.assign_threshold, "full_every": 1, **kw}
    return ThemeModel(spectral(n_clusters=k, n_neighbors=8, min_cluster_size=3), **params)


def _run(frame, x, state=None, history=None, edits=None, run_id="r1", k=4):
    stage = build_theme_stage(Settings(), _themer(k))
    return stage(frame, x, ThemeInputs(state=state, history=history, edits=edits, run_id=run_id, run_date=run_id))


def test_theming_recovers_planted_multilingual_clusters():
    frame, x = _planted()
    centred = _themer().fit(frame, x).labels_
    assert adjusted_rand_score(frame["truth"], centred) > 0.9
    raw = _themer(centre_languages=False).fit(frame, x).labels_
    assert adjusted_rand_score(frame["truth"], raw) < adjusted_rand_score(frame["truth"], centred)


def test_theming_same_data_twice_keeps_every_id():
    frame, x = _planted()
    first = _run(frame, x)
    second = _run(frame, x, state=first.state, history=first.history_rows, run_id="r2")
    assert (first.labels == second.labels).all()
    assert not second.themes["emerging"].any()


def test_theming_new_pain_point_keeps_old_ids_and_is_emerging():
    frame, x = _planted(seed=1)
    first = _run(frame, x)
    frame2, x2 = _planted(topics=(0, 1, 2, 3, 4), seed=2)
    second = _run(frame2, x2, state=first.state, history=first.history_rows, run_id="r2", k=5)
    old_ids = {t: int(pd.Series(first.labels[frame["truth"] == t]).mode()[0]) for t in range(4)}
    for t, tid in old_ids.items():
        assert (second.labels[frame2["truth"] == t] == tid).mean() > 0.9
    new_id = int(pd.Series(second.labels[frame2["truth"] == 4]).mode()[0])
    assert new_id not in old_ids.values()
    emerging = second.themes.set_index("theme_id")["emerging"]
    assert emerging[new_id] and not emerging[list(old_ids.values())].any()


def test_theming_rename_and_merge_survive_reclustering():
    frame, x = _planted(seed=3)
    first = _run(frame, x)
    ids = {t: int(pd.Series(first.labels[frame["truth"] == t]).mode()[0]) for t in range(4)}
    edits = merge(rename(ThemeEdits(), ids[0], "Invoices wrong"), [ids[2]], into=ids[1])
    frame2, x2 = _planted(seed=4, shift=0.05)  # new comments, same pain points: a full re-clustering
    second = _run(frame2, x2, state=first.state, history=first.history_rows, edits=edits, run_id="r2")
    labels = second.themes.set_index("theme_id")["label"]
    assert labels[ids[0]] == "Invoices wrong"
    assert (second.labels[frame2["truth"] == 2] == ids[1]).mean() > 0.9
    assert ids[2] not in set(second.themes["theme_id"])
    assert second.report["edits"]["unknown_ids"] == []


def test_theming_unknown_id_in_edits_is_reported_not_raised():
    frame, x = _planted()
    out = _run(frame, x, edits=rename(ThemeEdits(), 999, "nothing"))
    assert out.report["edits"]["unknown_ids"] == [999]


def test_theming_pin_forms_its_own_theme():
    frame, x = _planted()
    edits = ThemeEdits.model_validate({"pin": [{"name": "parking", "keywords": ["levering", "lieferung"]}]})
    out = _themer().fit(frame, x, edits=edits)
    pinned = out.state_.pins["parking"]
    hit = frame["text"].str.contains("levering")
    assert (out.labels_[hit.to_numpy()] == pinned).all() and (out.labels_[~hit.to_numpy()] != pinned).all()


def test_theming_incremental_night_assigns_to_known_centroids():
    frame, x = _planted(seed=5)
    first = _run(frame, x)
    frame2, x2 = _planted(seed=6)
    out = _themer(full_every=3).fit(frame2, x2, state=first.state)
    assert out.mode_ == "incremental"
    ids = {t: int(pd.Series(first.labels[frame["truth"] == t]).mode()[0]) for t in range(4)}
    assert all((out.labels_[frame2["truth"] == t] == tid).mean() > 0.9 for t, tid in ids.items())


def test_model_fit_returns_self_with_fitted_attributes():
    frame, x = _planted()
    model = _themer()
    assert model.fit(frame, x, run_date="d1") is model
    assert model.labels_.shape == (len(frame),) and model.mode_ == "full"
    assert model.ids_.tolist() == sorted(set(model.labels_[model.labels_ >= 0].tolist()))
    assert model.centroids_.shape == (len(model.ids_), x.shape[1])
    assert model.state_.theme_ids == model.ids_.tolist() and model.state_.last_seen == ["d1"] * len(model.ids_)


def test_model_predict_labels_new_comments_against_fitted_themes():
    frame, x = _planted(seed=7)
    model = _themer().fit(frame, x)
    before = model.state_.to_dict()
    frame2, x2 = _planted(seed=8)
    predicted = model.predict(frame2, x2)
    ids = {t: int(pd.Series(model.labels_[frame["truth"] == t]).mode()[0]) for t in range(4)}
    assert all((predicted[frame2["truth"] == t] == tid).mean() > 0.9 for t, tid in ids.items())
    assert model.state_.to_dict() == before  # predict never changes the fit


def test_model_predict_applies_pins_and_merges_of_the_fit():
    frame, x = _planted(seed=9)
    first = _themer().fit(frame, x)
    ids = {t: int(pd.Series(first.labels_[frame["truth"] == t]).mode()[0]) for t in range(4)}
    edits = merge(ThemeEdits.model_validate({"pin": [{"name": "shift", "keywords": ["rooster"]}]}), [ids[2]],
                  into=ids[1])
    model = _themer().fit(frame, x, state=first.state_, edits=edits)
    frame2, x2 = _planted(topics=(1, 2, 4), seed=10)
    predicted = model.predict(frame2, x2)
    assert (predicted[(frame2["truth"] == 4).to_numpy()] == model.state_.pins["shift"]).all()
    assert (predicted[(frame2["truth"] == 2).to_numpy()] == ids[1]).mean() > 0.9


def test_model_predict_before_fit_raises_not_fitted():
    frame, x = _planted()
    with pytest.raises(NotFittedError, match="ThemeModel"):
        _themer().predict(frame, x)


def test_model_thresholds_have_no_defaults_of_their_own():
    """The config is the one source: a ThemeModel without thresholds is a TypeError, not 0.6/0.45."""
    with pytest.raises(TypeError, match="match_threshold"):
        ThemeModel(spectral(n_clusters=4, n_neighbors=8, min_cluster_size=3), centre_languages=True,
                   min_theme_size=3, min_similarity=0.1, min_coherence=0.05, assign_threshold=0.35, full_every=1)


def test_match_centroids_optimal_and_thresholded():
    old = np.eye(3, dtype=np.float32)
    new = np.array([[0, 1, 0.1], [1, 0.1, 0], [0.3, 0.3, 0.3]], dtype=np.float32)
    assert match_centroids(new, old, threshold=0.9) == {0: 1, 1: 0}


def test_edits_broken_file_gives_clear_error(tmp_path):
    path = tmp_path / "themes.edits.yaml"
    path.write_text("rename:\n  3: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"themes.edits.yaml: not valid YAML at line \d+"):
        load_edits(path)
    path.write_text("merge:\n  - ids: [1, 2]\nrenam: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="merge.0.into"):
        load_edits(path)
    assert load_edits(tmp_path / "missing.yaml") == ThemeEdits()


def test_theme_state_roundtrip_json():
    state = ThemeState(embedder_id="e", theme_ids=[0, 4], centroids=np.ones((2, 3), np.float32), labels=["a", "b"],
                       first_seen=["d1", "d2"], last_seen=["d2", "d2"], next_id=5, pins={"p": 4})
    back = ThemeState.from_dict(state.to_dict())
    assert back.theme_ids == [0, 4] and back.pins == {"p": 4} and np.allclose(back.centroids, 1)


def test_cli_themes_commands_edit_the_file(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from txnlp.cli import app

    path = tmp_path / "edits.yaml"
    monkeypatch.setenv("TXNLP_TRACKING__EDITS_FILE", str(path))
    runner = CliRunner()
    for args in (["rename", "3", "App logs out"], ["merge", "7", "9", "--into", "4"], ["ignore", "12"],
                 ["pin", "parking", "parkeren", "парковка"]):
        result = runner.invoke(app, ["themes", *args])
        assert result.exit_code == 0, result.output
    edits = load_edits(path)
    assert edits.rename == {3: "App logs out"} and edits.merge_map() == {7: 4, 9: 4} and edits.ignore == [12]
    assert edits.pin[0].keywords == ["parkeren", "парковка"]
