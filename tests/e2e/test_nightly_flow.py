"""End to end: the Prefect flow on the bundled sample with the real default models."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from txnlp import vocab as V
from txnlp.training.evaluate import read_label_files, score_run

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def flow_run(tmp_path_factory):
    from prefect.testing.utilities import prefect_test_harness

    from pipelines.nightly import mine_feedback_flow

    out = tmp_path_factory.mktemp("nightly")
    with prefect_test_harness(server_startup_timeout=120):
        summary = mine_feedback_flow([str(REPO / "data" / "sample")], str(out), str(REPO / "txnlp.toml"))
    return out, summary


def test_flow_output_contract_and_counts(flow_run):
    out, summary = flow_run
    comments = pd.read_parquet(out / "comments.parquet")
    assert list(comments.columns[:len(V.COMMENT_COLUMNS)]) == list(V.COMMENT_COLUMNS)
    assert {"region", "department"} <= set(comments.columns)
    assert comments[V.LANG].isin([*V.SUPPORTED_LANGS, "und"]).all()
    assert comments[V.SENTIMENT].isin(V.SENTIMENTS).all()
    assert comments[V.PILLAR].isin(V.PILLARS).all()
    manifest = json.loads((out / "manifest.json").read_text())
    c = manifest["counts"]
    assert c["rows_in"] == c["rows_out"] + c["rows_quarantined"] == summary["rows_in"]
    themes = pd.read_parquet(out / "themes.parquet")
    assert list(themes.columns) == list(V.THEME_COLUMNS) and c["themes"] >= 5
    assert (out / "report.html").stat().st_size > 2000


def test_flow_beats_chance_on_sample_labels(flow_run):
    out, _ = flow_run
    scores = score_run(pd.read_parquet(out / "comments.parquet"), read_label_files([REPO / "data" / "sample_labels"]))
    assert scores["n_labelled"] >= 400
    assert scores["lang_accuracy"] > 0.9
    assert scores["sentiment"]["macro_f1"] > 0.45   # chance is ~0.33
    assert scores["pillar"]["macro_f1"] > 0.30      # chance is ~0.25
    assert scores["theme_ari"] > 0.6  # 0.79 measured (README, Themes)
