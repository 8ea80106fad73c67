"""A second run on one output folder or one state store waits, then stops with a clear message (issue 13, item 7)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ingest.helpers import ingest_settings, write_rows
from txnlp.cli import app
from txnlp.config import load_settings
from txnlp.errors import BusyError
from txnlp.ingest import run_sources
from txnlp.io.lock import hold
from txnlp.runner import run

REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from pathlib import Path
from txnlp.io.lock import hold
with hold(Path(sys.argv[1]), 5):
    Path(sys.argv[2]).write_text("held")
    time.sleep(float(sys.argv[3]))
"""


class Holder:
    """Another process holding the lock of `target` for `seconds`."""

    def __init__(self, target: Path, seconds: float):
        self.marker = target.parent / f".held-{target.name}"
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(target), str(self.marker), str(seconds)],
                                     env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 120
        while not self.marker.exists():
            assert self.proc.poll() is None and time.monotonic() < deadline, "holder never took the lock"
            time.sleep(0.05)

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=30)


def test_concurrency_one_off_run_into_a_busy_folder_stops_with_the_holder(tmp_path, fake_embedder, tiny_sentiment):
    data = write_rows(tmp_path / "in" / "a.csv", [{"id": "1", "text": "fine"}])
    out = tmp_path / "out"
    holder = Holder(out, 120)
    try:
        with pytest.raises(BusyError) as err:
            run([data], out, load_settings(None, lock_timeout_s=0.3), embedder=fake_embedder, sentiment=tiny_sentiment)
    finally:
        holder.stop()
    assert f"{out} is in use by another txnlp run (pid {holder.proc.pid})" in str(err.value)
    assert not (out / "manifest.json").exists() and not (out / ".stage").exists()


def test_concurrency_second_run_waits_for_the_first(tmp_path, fake_embedder, tiny_sentiment):
    data = write_rows(tmp_path / "in" / "a.csv", [{"id": "1", "text": "fine"}, {"id": "2", "text": "bad app"}])
    out = tmp_path / "out"
    holder = Holder(out, 1.5)
    start = time.monotonic()
    settings = load_settings(None, lock_timeout_s=60, cluster={"n_clusters": 2, "min_cluster_size": 2})
    run([data], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    holder.stop()
    assert (out / "manifest.json").exists() and time.monotonic() - start >= 1.0


def test_concurrency_incremental_run_on_a_busy_state_store_is_refused_before_staging(tmp_path):
    write_rows(tmp_path / "in" / "a.csv", [{"id": "1", "text": "fine"}])
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(tmp_path / "in")}],
                               lock_timeout_s=0.3)
    runs = tmp_path / "runs"
    (runs / ".stage" / "2026-11-10" / "shop").mkdir(parents=True)  # the first run's staging
    (runs / ".stage" / "2026-11-10" / "shop" / "staged.parquet").write_text("first run's")
    holder = Holder(runs / "state.sqlite", 120)
    try:
        with pytest.raises(BusyError, match="state.sqlite is in use by another txnlp run"):
            run_sources(settings, run_date="2026-11-10")
        result = CliRunner().invoke(app, ["run", "--sources", "--input", str(tmp_path / "in"), "--output", str(runs),
                                          "--run-date", "2026-11-10"], env={"TXNLP_LOCK_TIMEOUT_S": "0.3"})
    finally:
        holder.stop()
    assert result.exit_code == 2 and "is in use by another txnlp run" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert (runs / ".stage" / "2026-11-10" / "shop" / "staged.parquet").read_text() == "first run's"


def test_concurrency_lock_is_reentrant_across_threads_of_one_process(tmp_path):
    """The Prefect flow holds the lock while its tasks (threads of the same process) take it again."""
    seen = []
    with hold(tmp_path, 0.1):
        worker = threading.Thread(target=lambda: seen.append(_take(tmp_path)))
        worker.start()
        worker.join()
    assert seen == ["taken"]


def _take(path):
    with hold(path, 0.1):
        return "taken"
