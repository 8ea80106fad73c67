"""The source flow's tasks through .fn(): one read task per source, retried only when the source is unreachable."""
from pathlib import Path

import pytest

from flow_helpers import config  # noqa: F401  (fixture)
from pipelines import nightly
from txnlp import ingest, load_settings
from txnlp.errors import SourceError


def _specs(config):
    return {s.name: s for s in ingest.plan_sources(load_settings(config))}


def test_flow_tasks_read_then_publish(tmp_path, config):
    root = str(tmp_path / "runs" / ".stage" / "2026-11-10")
    specs = _specs(config)
    staged = nightly.read_source.fn(specs["shop"], root, config, False)
    assert (Path(staged) / "staged.parquet").exists()
    with pytest.raises(SourceError, match="source 'down': database file not found"):
        nightly.read_source.fn(specs["down"], root, config, False)
    summary = nightly.publish_run.fn([staged], {"down": "source 'down': database file not found"}, config,
                                     "2026-11-10", False)
    assert summary["rows_out"] == 4 and summary["failed_sources"] == {"down": "source 'down': database file not found"}
    assert not Path(staged).exists()


def test_flow_read_source_retries_with_the_shared_rule():
    from pipelines.retries import retry_transient

    assert nightly.read_source.retry_condition_fn is retry_transient
    assert nightly.read_source.retries == 3 and nightly.read_source.retry_delay_seconds == [10, 60, 300]

