"""A run that dies after mining but before it has published leaves theme state, theme history and KPI history as
they were, and its rerun gives the trends of an uninterrupted night (issue 13, item 6)."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import NEGATIVE, NEUTRAL, POSITIVE
from tests.ingest.helpers import ingest_settings, write_rows
from txnlp import ingest, runner
from txnlp.config import load_settings
from txnlp.io.history import load_history as load_kpi_history
from txnlp.report import build

NIGHTS = {"2026-11-09": POSITIVE + NEGATIVE, "2026-11-10": NEGATIVE + NEUTRAL + NEGATIVE[:3]}
KEPT = ("state/theme_state.json", "state/theme_history.parquet", "history/kpi_history/run_date=2026-11-09/kpis.parquet")


def _settings():
    # every comment themed (random fake vectors), so the theme history has rows and trends to compare
    return load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2, "min_similarity": -1,
                                        "min_coherence": -1})


def _night(root, night, fake_embedder, tiny_sentiment):
    rows = [{"id": f"{night}-{i}", "text": t, "audience": "customer"} for i, t in enumerate(NIGHTS[night])]
    data = write_rows(root / "in" / f"{night}.csv", rows)
    return runner.run([data], root / night, _settings(), run_date=night, embedder=fake_embedder,
                      sentiment=tiny_sentiment)


def _kept(root) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in KEPT if (root / name).exists()}


def _trends(root, night) -> str:
    themes = pd.read_parquet(root / night / "themes.parquet")
    return themes.sort_values("theme_id")[["theme_id", "size", "trend"]].to_csv(index=False)


def _comparable_history(root) -> pd.DataFrame:
    theme = pd.read_parquet(root / "state" / "theme_history.parquet").drop(columns="run_id")
    kpi = load_kpi_history(root / "history" / "kpi_history").drop(columns="run_id")
    return theme.to_csv(index=False) + kpi.to_csv(index=False)


def _fail_while_rendering(*args, **kwargs):
    raise RuntimeError("killed while building the report")


def test_killed_run_before_publish_leaves_state_and_rerun_gives_the_same_trend(tmp_path, monkeypatch, fake_embedder,
                                                                             tiny_sentiment):
    baseline, killed = tmp_path / "baseline", tmp_path / "killed"
    for night in NIGHTS:
        _night(baseline, night, fake_embedder, tiny_sentiment)
    first, last = list(NIGHTS)
    _night(killed, first, fake_embedder, tiny_sentiment)
    before = _kept(killed)
    assert set(before) == set(KEPT)
    with monkeypatch.context() as patch:  # after the KPIs and their history were computed, before the report
        patch.setattr(build, "render_report", _fail_while_rendering)
        with pytest.raises(RuntimeError, match="killed"):
            _night(killed, last, fake_embedder, tiny_sentiment)
    assert _kept(killed) == before
    assert not list((killed / "state").glob(".*.pending")) and not list((killed / "history").glob(".*.pending"))
    _night(killed, last, fake_embedder, tiny_sentiment)
    assert _trends(killed, last) == _trends(baseline, last)
    assert _comparable_history(killed) == _comparable_history(baseline)


def test_killed_incremental_run_before_publish_leaves_theme_state(tmp_path, monkeypatch, tiny_sentiment):
    write_rows(tmp_path / "in" / "a.csv", [{"id": f"a{i}", "text": t} for i, t in enumerate(POSITIVE + NEGATIVE)])
    tiny_sentiment.save(tmp_path / "sentiment")
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(tmp_path / "in")}],
                               sentiment={"model_dir": str(tmp_path / "sentiment")})
    runs = tmp_path / "runs"
    with monkeypatch.context() as patch:
        patch.setattr(ingest.P, "move_into_place", _fail_while_rendering)  # mined, not yet published
        with pytest.raises(RuntimeError, match="killed"):
            ingest.run_sources(settings, run_date="2026-11-10")
    assert not (runs / "state" / "theme_state.json").exists()
    assert not (runs / "state" / "theme_history.parquet").exists()
    assert not list((runs / "history" / "kpi_history").glob("run_date=*/kpis.parquet"))
    result = ingest.run_sources(settings, run_date="2026-11-10")
    assert result.status == "published" and (runs / "state" / "theme_state.json").exists()
    assert set(load_kpi_history(runs / "history" / "kpi_history")["run_id"]) == {result.run_id}
