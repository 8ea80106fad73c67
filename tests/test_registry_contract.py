"""One contract run over every registered stage kind, in the spirit of scikit-learn's `parametrize_with_checks`.

A kind added to `txnlp.registry` is checked here without a new test: text stages keep rows and ids,
add columns and edit only the ones they declare; units map back to their rows; clusterers give one
integer label per row, the same on a rebuild; model stages store their parameters, fit to `self`,
and refuse to predict unfitted.
"""
from __future__ import annotations

import inspect
import typing

import numpy as np
import pandas as pd
import pytest

from txnlp import registry
from txnlp import vocab as V
from txnlp.config import ClusterSettings, Settings
from txnlp.errors import ConfigError, NotFittedError
from txnlp.themes.units import UNIT_INDEX, UNIT_ROW


def _kinds(family: str) -> list[str]:
    return list(registry.FAMILIES[family][1])


def _build(family: str, kind: str, **deps):
    return registry.make(family, kind, Settings(), **deps)


def _params(stage) -> dict:
    """The stage's constructor parameters, read back from the attributes of the same name."""
    sig = inspect.signature(type(stage).__init__)
    names = [p.name for p in sig.parameters.values()
             if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return {n: getattr(stage, n) for n in names}


def _text_frame() -> pd.DataFrame:
    return pd.DataFrame({
        V.ID: ["a1", "a2", "a3", "a4", "a5"],
        V.TEXT: ["De app logt me steeds uit, mail jan@example.com", "Die Rechnung war falsch, ruf +49 30 1234567 an",
                 "Приложение постоянно вылетает", "  The  chatbot   could not\u00a0help  ",
                 "the chatbot could not help"],
        V.AUDIENCE: ["customer", "customer", "employee", "customer", "customer"],
        V.CHANNEL: ["app", "phone", "survey", "web", "web"],
        "score": [3.0, None, 1.0, 7.0, 6.0],
        V.LANG: ["nl", "", None, "EN", "en"],
    }, index=[10, 11, 12, 13, 14])


def _comments(embedder, per_topic: int = 12) -> tuple[pd.DataFrame, np.ndarray]:
    topics = ["invoice wrong again billing", "app logs me out login", "waited an hour on the phone",
              "delivery late parcel missing"]
    langs = ["nl", "de", "ru", "en"]
    rows = [{V.ID: f"t{t}-{j}", V.LANG: langs[j % 4], V.TEXT: f"{topic} case {j}", V.AUDIENCE: "customer"}
            for t, topic in enumerate(topics) for j in range(per_topic)]
    frame = pd.DataFrame(rows)
    return frame, embedder.encode(frame[V.TEXT].tolist())


# -- every family -------------------------------------------------------------------------------

@pytest.mark.parametrize("family", list(registry.FAMILIES))
def test_registry_unknown_kind_names_the_known_ones(family):
    key, kinds = registry.FAMILIES[family]
    with pytest.raises(ConfigError, match=f"unknown {key} 'nope'") as info:
        registry.make(family, "nope", Settings())
    assert all(kind in str(info.value) for kind in kinds)


@pytest.mark.parametrize(("family", "field"), [("clusterer", "kind"), ("theme_units", "unit")])
def test_registry_covers_every_kind_the_config_accepts(family, field):
    accepted = set(typing.get_args(ClusterSettings.model_fields[field].annotation))
    assert accepted == set(_kinds(family))


@pytest.mark.parametrize(("family", "kind"), [(f, k) for f in registry.FAMILIES for k in _kinds(f)])
def test_registry_stage_stores_its_parameters_as_given(family, kind):
    """scikit-learn's rule: __init__ only stores, so a stage rebuilt from its parameters holds the same objects."""
    stage = _build(family, kind)
    params = _params(stage)
    rebuilt = type(stage)(**params)
    assert all(getattr(rebuilt, name) is value for name, value in params.items())
    assert not [a for a in vars(rebuilt) if a.endswith("_") and not a.startswith("_")]  # nothing learned yet


# -- text stages --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", _kinds("text"))
def test_registry_text_stage_keeps_rows_and_ids_and_adds_columns(kind):
    stage = _build("text", kind)
    frame = _text_frame()
    before = frame.copy(deep=True)
    out = stage(frame)
    pd.testing.assert_frame_equal(frame, before)  # the input is never mutated
    assert isinstance(out, pd.DataFrame) and len(out) == len(frame)
    assert out[V.ID].tolist() == frame[V.ID].tolist()
    assert set(frame.columns) < set(out.columns)  # adds at least one column, drops none
    rewrites = registry.TEXT_STAGES[kind].rewrites
    for col in frame.columns:
        if col not in rewrites:
            pd.testing.assert_series_equal(out[col], frame[col], check_names=True)


def test_registry_text_stage_rewrites_are_real():
    """A declared rewrite is one the stage makes: otherwise the exemption above would hide edits."""
    frame = _text_frame()
    for kind, factory in registry.TEXT_STAGES.items():
        out = _build("text", kind)(frame)
        for col in factory.rewrites:
            assert not out[col].equals(frame[col]), (kind, col)


def test_registry_text_pipeline_runs_every_text_stage_in_order():
    assert [s.name for s in registry.build_text_pipeline(Settings()).stages] == _kinds("text")


# -- theme units --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", _kinds("theme_units"))
def test_registry_theme_units_map_back_to_their_rows(kind):
    frame = _text_frame().reset_index(drop=True).assign(**{V.LANG: ["nl", "de", "ru", "en", "en"]})
    before = frame.copy(deep=True)
    units = _build("theme_units", kind)(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert {UNIT_ROW, UNIT_INDEX, V.ID, V.LANG, V.TEXT} <= set(units.columns)
    assert sorted(set(units[UNIT_ROW])) == list(range(len(frame)))  # every comment has a unit
    assert (units[V.ID].to_numpy() == frame[V.ID].to_numpy()[units[UNIT_ROW].to_numpy()]).all()


# -- clusterers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", _kinds("clusterer"))
def test_registry_clusterer_one_int_label_per_row_same_on_rebuild(kind, fake_embedder):
    _, x = _comments(fake_embedder)
    before = x.copy()
    labels = _build("clusterer", kind).fit_predict(x)
    np.testing.assert_array_equal(x, before)
    labels = np.asarray(labels)
    assert labels.shape == (len(x),) and np.issubdtype(labels.dtype, np.integer)
    assert labels.min() >= V.OUTLIER_THEME
    np.testing.assert_array_equal(_build("clusterer", kind).fit_predict(x), labels)


# -- model stages -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", _kinds("model"))
def test_registry_model_predict_before_fit_raises_not_fitted(kind, fake_embedder):
    frame, x = _comments(fake_embedder)
    with pytest.raises(NotFittedError):
        _build("model", kind).predict(frame, x, embedder=fake_embedder)
    with pytest.raises(AttributeError):  # NotFittedError is also the builtin, as in scikit-learn
        _build("model", kind).predict(frame, x, embedder=fake_embedder)


@pytest.mark.parametrize("kind", _kinds("model"))
def test_registry_model_fit_returns_self_and_predicts_one_label_per_row(kind, fake_embedder):
    frame, x = _comments(fake_embedder)
    before = frame.copy(deep=True)
    model = _build("model", kind)
    params = _params(model)
    assert model.fit(frame, x, embedder=fake_embedder) is model
    pd.testing.assert_frame_equal(frame, before)
    assert all(getattr(model, name) is value for name, value in params.items())  # fit leaves parameters alone
    assert model.labels_.shape == (len(frame),) and np.issubdtype(model.labels_.dtype, np.integer)
    predicted = np.asarray(model.predict(frame, x, embedder=fake_embedder))
    assert predicted.shape == (len(frame),) and np.issubdtype(predicted.dtype, np.integer)
    again = _build("model", kind).fit(frame, x, embedder=fake_embedder)
    np.testing.assert_array_equal(again.labels_, model.labels_)  # same seed, same themes


# -- composition --------------------------------------------------------------------------------

def test_registry_pipeline_builds_the_clusterer_once(monkeypatch, fake_embedder):
    calls = []
    real = registry.build_scaled_clusterer
    monkeypatch.setattr(registry, "build_scaled_clusterer", lambda s: calls.append(1) or real(s))
    settings = Settings()
    themer = registry.build_themer(settings)
    pipeline = registry.build_pipeline(settings, embedder=fake_embedder, sentiment=None, pillar=None, themer=themer)
    assert len(calls) == 1 and pipeline.themes.model is themer


def test_registry_theme_stage_takes_every_setting_from_the_config():
    from txnlp.config import load_settings

    settings = load_settings(None, tracking={"match_threshold": 0.55, "assign_threshold": 0.25, "emerging_window": 3},
                             rank={"pillar_weight": 0.5, "min_link_negative": 3},
                             report={"employee_audiences": ["staff"]}, themes={"n_quotes": 2})
    stage = registry.build_theme_stage(settings, registry.build_themer(settings))
    assert (stage.model.match_threshold, stage.model.assign_threshold) == (0.55, 0.25)
    assert (stage.pillar_weight, stage.min_link_negative, stage.emerging_window) == (0.5, 3, 3)
    assert stage.employee_audiences == ["staff"] and stage.n_quotes == 2
