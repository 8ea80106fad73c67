"""The theme store: state saved and loaded as JSON, reruns start from the state they started from,
another embedder starts afresh without reusing ids, and the theme history replaces a rerun's rows."""
import logging

import numpy as np
import pandas as pd
import pytest

from txnlp.errors import ArtifactError
from txnlp.io.theme_store import HISTORY_FILE, STATE_FILE, append_theme_history, load_history, load_state, save_state, state_dir
from txnlp.themes.ids import HISTORY_COLUMNS, ThemeState


def _state(ids=(3, 5), next_id=6, embedder="e5-q4", offset=0.0):
    n = len(ids)
    return ThemeState(embedder_id=embedder, theme_ids=list(ids),
                      centroids=np.arange(n * 4, dtype=np.float32).reshape(n, 4) / 7 + offset,
                      labels=[f"label {i}" for i in ids], first_seen=["2026-11-01"] * n, last_seen=["2026-11-29"] * n,
                      next_id=next_id, nights_since_full=2, language_means={"nl": [0.25, -0.5, 0.0, 1.0]},
                      pins={"app / login": 3})


def _same(a: ThemeState, b: ThemeState):
    assert (a.embedder_id, a.theme_ids, a.labels, a.first_seen, a.last_seen, a.next_id, a.nights_since_full,
            a.language_means, a.pins) == (b.embedder_id, b.theme_ids, b.labels, b.first_seen, b.last_seen, b.next_id,
                                          b.nights_since_full, b.language_means, b.pins)
    np.testing.assert_array_equal(a.centroids, b.centroids)


def test_theme_store_state_round_trip(tmp_path):
    state = _state()
    path = save_state(state, tmp_path, run_id="r1")
    assert path == tmp_path / STATE_FILE
    _same(load_state(tmp_path, "e5-q4"), state)
    _same(load_state(tmp_path, "e5-q4", run_id="r2"), state)  # the next night starts from it


def test_theme_store_no_file_gives_an_empty_state(tmp_path):
    state = load_state(tmp_path, "e5-q4")
    assert state.empty and state.embedder_id == "e5-q4" and state.next_id == 0


def test_theme_store_rerun_of_same_run_id_starts_from_previous_state(tmp_path):
    before, after = _state(ids=(3, 5), next_id=6), _state(ids=(3, 5, 6, 7), next_id=8, offset=1.0)
    save_state(after, tmp_path, run_id="r2", previous=before)
    _same(load_state(tmp_path, "e5-q4", run_id="r2"), before)  # a replay of r2 does not see its own result
    _same(load_state(tmp_path, "e5-q4", run_id="r3"), after)
    _same(load_state(tmp_path, "e5-q4"), after)


def test_theme_store_rerun_of_a_first_night_starts_empty(tmp_path):
    save_state(_state(), tmp_path, run_id="r1", previous=None)
    state = load_state(tmp_path, "e5-q4", run_id="r1")
    assert state.empty and state.next_id == 0


def test_theme_store_other_embedder_fresh_state_keeps_next_id(tmp_path, caplog):
    save_state(_state(next_id=6, embedder="e5-q4"), tmp_path, run_id="r1")
    with caplog.at_level(logging.WARNING, logger="txnlp.io.theme_store"):
        state = load_state(tmp_path, "minilm")
    assert state.empty and state.embedder_id == "minilm"
    assert state.next_id == 6  # ids 3 and 5 are never given to a different pain point
    assert "ids restart from 6" in caplog.text


@pytest.mark.parametrize("body", ["", "{not json", "null", '{"run_id": "r1", "state": {"themes": [{"theme_id": 1}]}}',
                                  '{"run_id": "r1", "state": {"themes": [{"centroid": [1.0]}]}}',
                                  '{"themes": [{"theme_id": 1, "centroid": [1.0]}, {"theme_id": 2, "centroid": [1.0, 2.0]}]}',
                                  "[1, 2]", '"broken"'])
def test_theme_store_unreadable_file_is_an_artifact_error(tmp_path, body):
    (tmp_path / STATE_FILE).write_text(body, encoding="utf-8")
    with pytest.raises(ArtifactError, match="theme state .* is unreadable"):
        load_state(tmp_path, "e5-q4")


def test_theme_store_error_does_not_quote_the_file(tmp_path):
    (tmp_path / STATE_FILE).write_text('{"themes": [{"theme_id": 1, "label": "jan.jansen@example.nl", "centroid": [1.0]},'
                                       ' {"theme_id": 2, "centroid": [1.0, 2.0]}]}', encoding="utf-8")
    with pytest.raises(ArtifactError) as caught:
        load_state(tmp_path, "e5-q4")
    assert "jan.jansen" not in str(caught.value) and STATE_FILE in str(caught.value)


def _history(run_id, run_date, sizes):
    return pd.DataFrame({"run_id": run_id, "run_date": run_date, "theme_id": list(range(len(sizes))), "size": sizes,
                         "share_negative": 0.5, "mean_sentiment": -0.1})


def test_theme_store_history_rerun_replaces_its_rows(tmp_path):
    append_theme_history(_history("r1", "2026-11-29", [4, 2]), tmp_path)
    append_theme_history(_history("r2", "2026-11-30", [5, 3, 1]), tmp_path)
    path = append_theme_history(_history("r1", "2026-11-29", [9]), tmp_path)  # r1 replayed: one theme now
    assert path == tmp_path / HISTORY_FILE
    history = load_history(tmp_path)
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert list(zip(history["run_id"], history["theme_id"], history["size"])) == [
        ("r1", 0, 9), ("r2", 0, 5), ("r2", 1, 3), ("r2", 2, 1)]
    assert load_history(tmp_path, exclude_run_id="r2")["run_id"].tolist() == ["r1"]


def test_theme_store_no_history_gives_the_columns(tmp_path):
    history = load_history(tmp_path)
    assert history.empty and list(history.columns) == list(HISTORY_COLUMNS)


def test_theme_store_state_dir_beside_the_run_folders(tmp_path):
    assert state_dir(tmp_path / "out" / "2026-11-30") == (tmp_path / "out" / "state").resolve()
    assert state_dir(tmp_path / "night", tmp_path / "elsewhere") == tmp_path / "elsewhere"
