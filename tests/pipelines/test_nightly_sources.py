"""The source flow's tasks through .fn(): one read task per source, retried only when the source is unreachable."""
from pathlib import Path

import pytest
from prefect.states import Failed

from pipelines import nightly
from tests.ingest.helpers import CUSTOMERS, write_rows
from txnlp.errors import InputDataError, SourceError


@pytest.fixture()
def config(tmp_path, tiny_sentiment):
    write_rows(tmp_path / "in" / "a.csv", CUSTOMERS)
    tiny_sentiment.save(tmp_path / "sentiment")
    path = tmp_path / "txnlp.toml"
    path.write_text(f"""
[embed]
kind = "fake"
[sentiment]
model_dir = "{tmp_path / 'sentiment'}"
[cluster]
n_clusters = 2
min_cluster_size = 2
[ingest]
runs_dir = "{tmp_path / 'runs'}"
[[ingest.sources]]
name = "shop"
kind = "files"
path = "{tmp_path / 'in'}"
audience = "customer"
[[ingest.sources]]
name = "down"
kind = "sql"
url = "sqlite:///{tmp_path / 'absent.sqlite'}"
table = "feedback"
""", encoding="utf-8")
    return str(path)


def test_flow_tasks_read_then_publish(tmp_path, config):
    root = str(tmp_path / "runs" / ".stage" / "2026-11-10")
    staged = nightly.read_source.fn("shop", root, config, None, False)
    assert (Path(staged) / "staged.parquet").exists()
    with pytest.raises(SourceError, match="source 'down': database file not found"):
        nightly.read_source.fn("down", root, config, None, False)
    summary = nightly.publish_run.fn([staged], {"down": "source 'down': database file not found"}, config,
                                     "2026-11-10", False)
    assert summary["rows_out"] == 4 and summary["failed_sources"] == {"down": "source 'down': database file not found"}
    assert not Path(staged).exists()


def test_flow_retries_only_unreachable_sources():
    assert nightly.retry_source_errors(None, None, Failed(data=SourceError("crm", "database error"))) is True
    assert nightly.retry_source_errors(None, None, Failed(data=InputDataError("bad file"))) is False
    assert nightly.read_source.retries == 3 and nightly.read_source.retry_delay_seconds == [10, 60, 300]
