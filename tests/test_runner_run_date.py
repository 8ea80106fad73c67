"""One run date from the entry point down to every output: manifest, theme history, KPIs, KPI history."""
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import read_manifest
from txnlp.cli import app
from txnlp.config import load_settings
from txnlp.errors import ConfigError
from txnlp.io.history import load_history
from txnlp.runner import run, run_date_or_today


def test_runner_run_date_reaches_every_output(tmp_path, sample_csv, fake_embedder, tiny_sentiment):
    # random fake vectors: keep every comment themed, so the theme outputs have rows to date
    settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2, "min_similarity": -1,
                                            "min_coherence": -1})
    out = tmp_path / "night"
    run([sample_csv], out, settings, run_date="2026-11-30", embedder=fake_embedder, sentiment=tiny_sentiment)
    assert read_manifest(out)["run_date"] == "2026-11-30"
    assert set(pd.read_parquet(out / "kpis.parquet")["run_date"]) == {"2026-11-30"}
    assert set(load_history(tmp_path / "history" / "kpi_history")["run_date"]) == {"2026-11-30"}
    assert set(pd.read_parquet(tmp_path / "state" / "theme_history.parquet")["run_date"]) == {"2026-11-30"}
    state = json.loads((tmp_path / "state" / "theme_state.json").read_text())["state"]
    assert {t["last_seen"] for t in state["themes"]} == {"2026-11-30"}


@pytest.mark.parametrize("bad", ["../../../escape", "2026-13-01", "20261130", "2026-11-30/..", " 2026-11-30"])
def test_runner_run_date_must_be_an_iso_date(bad):
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        run_date_or_today(bad)


def test_runner_run_date_defaults_to_today_utc():
    assert run_date_or_today(None) == pd.Timestamp.now(tz="UTC").date().isoformat()
    assert run_date_or_today("2024-02-29") == "2024-02-29"


@pytest.mark.parametrize("extra", [[], ["--sources"]])
def test_cli_run_date_escape_is_refused_before_anything_is_written(tmp_path, sample_csv, extra):
    out = tmp_path / "runs" / "out"
    result = CliRunner().invoke(app, ["run", "--input", str(sample_csv), "--output", str(out),
                                      "--run-date", "../../../escape", *extra],
                                env={"TXNLP_EMBED__KIND": "fake"})
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert not out.exists() and not (tmp_path / "escape").exists()


def test_runner_manifest_masks_source_passwords(tmp_path, sample_csv, fake_embedder, tiny_sentiment):
    """A SQL source's password is never published in manifest.json (issue 13: it was, in clear)."""
    sources = [{"name": "crm", "kind": "sql", "table": "feedback",
                "url": "postgresql+psycopg://txnlp:S3cret@db.example/crm"},
               {"name": "odd", "kind": "sql", "table": "feedback", "url": "not a url S3cret"}]
    settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2}, ingest={"sources": sources})
    out = tmp_path / "night"
    run([sample_csv], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    text = (out / "manifest.json").read_text()
    assert "S3cret" not in text
    urls = [s["url"] for s in read_manifest(out)["config"]["ingest"]["sources"]]
    assert urls == ["postgresql+psycopg://txnlp:***@db.example/crm", "***"]
