"""Progress callback, structured log lines with the run id, and the CLI's closing summary."""
import logging

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from txnlp.cli import app
from txnlp.config import load_settings
from txnlp.logs import LineFormatter, RunIdFilter
from txnlp.progress import with_progress
from txnlp.runner import run


def test_progress_embedder_same_matrix_in_chunks(fake_embedder):
    texts = [f"comment number {i} about the app" for i in range(23)]
    seen = []
    wrapped = with_progress(fake_embedder, lambda *a: seen.append(a), chunk_size=5)
    np.testing.assert_array_equal(wrapped.encode(texts), fake_embedder.encode(texts))
    assert seen[0] == ("embed", 0, 23) and seen[-1] == ("embed", 23, 23) and len(seen) == 6
    assert wrapped.model_id == fake_embedder.model_id


def test_progress_run_reports_steps_and_logs_carry_run_id(tmp_path, sample_csv, fake_embedder, tiny_sentiment):
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(handler.format(record))
    handler.setFormatter(LineFormatter())
    handler.addFilter(RunIdFilter())
    logger = logging.getLogger("txnlp")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    events = []
    try:
        settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2})
        result = run([sample_csv], tmp_path / "out", settings, embedder=fake_embedder, sentiment=tiny_sentiment,
                     progress=lambda *a: events.append(a))
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    steps = [e[0] for e in events]
    assert steps[0] == "stage" and "embed" in steps and steps[-1] == "publish"
    assert events[-1] == ("publish", 2, 2)
    assert lines and all(f"run_id={result.run_id} " in line and "\n" not in line for line in lines)
    texts = pd.read_csv(sample_csv)["text"].dropna().str.strip()
    for text in texts[texts != ""]:
        assert not any(text in line for line in lines)


def test_cli_run_prints_summary_with_pain_points_and_report(tmp_path, sample_csv, fake_embedder, tiny_sentiment,
                                                            monkeypatch):
    model = tmp_path / "sentiment"
    tiny_sentiment.save(model, meta={"model_id": "tiny"})
    monkeypatch.setenv("TXNLP_EMBED__KIND", "fake")
    monkeypatch.setenv("TXNLP_SENTIMENT__MODEL_DIR", str(model))
    monkeypatch.setenv("TXNLP_CLUSTER__N_CLUSTERS", "2")
    monkeypatch.setenv("TXNLP_CLUSTER__MIN_CLUSTER_SIZE", "2")
    # the fake embedder's vectors are random: no cluster is coherent, so none would be ranked
    monkeypatch.setenv("TXNLP_CLUSTER__MIN_SIMILARITY", "-1")
    monkeypatch.setenv("TXNLP_CLUSTER__MIN_COHERENCE", "-1")
    monkeypatch.setenv("TXNLP_THEMES__MIN_COHERENCE", "-1")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--input", str(sample_csv), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "pain point #1" in result.output and "report.html" in result.output
    assert "rows quarantined" in result.output
    assert (out / "kpis.parquet").exists()
