"""The flows under Prefect's engine (one temporary server for the module): retries as the engine runs them.

Slow: the temporary server takes 20 s to over a minute to start on two busy cores. The fast suite checks
the same rule through the predicate and the tasks' options (test_retries.py, test_nightly_tasks.py).
"""
import pytest

from flow_helpers import config  # noqa: F401  (fixture)
from pipelines import nightly
from txnlp import ingest, runner
from txnlp.errors import InputDataError, SourceError

pytestmark = pytest.mark.slow
_STAGE = runner.stage


@pytest.fixture(scope="module", autouse=True)
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _counting_stage(monkeypatch, fail_first: BaseException | None = None):
    """runner.stage, counting its calls; `fail_first` is raised by the first call only."""
    calls = []

    def stage(*args, **kwargs):
        calls.append(1)
        if fail_first is not None and len(calls) == 1:
            raise fail_first
        return _STAGE(*args, **kwargs)

    monkeypatch.setattr(runner, "stage", stage)
    monkeypatch.setattr(nightly, "stage_inputs", nightly.stage_inputs.with_options(retry_delay_seconds=0))
    return calls


def test_stage_task_missing_input_fails_at_the_first_attempt(tmp_path, monkeypatch):
    """An InputDataError can't fix itself: one attempt, not three (it was retried after 10 s and 60 s)."""
    calls = _counting_stage(monkeypatch)
    with pytest.raises(InputDataError, match="input not found"):
        nightly.mine_feedback_flow([str(tmp_path / "missing.csv")], str(tmp_path / "out"))
    assert len(calls) == 1
    calls = _counting_stage(monkeypatch, fail_first=OSError("share not mounted yet"))
    with pytest.raises(InputDataError, match="input not found"):
        nightly.mine_feedback_flow([str(tmp_path / "missing.csv")], str(tmp_path / "out"))
    assert len(calls) == 2  # the OSError was retried, the InputDataError behind it was not


def test_flow_mine_sources_publishes_the_others_then_fails(tmp_path, config, monkeypatch):
    """Under the engine: the failed source's SourceError reaches gather_staged, the rest is published."""
    monkeypatch.setattr(nightly, "read_source", nightly.read_source.with_options(retry_delay_seconds=0))
    with pytest.raises(SourceError, match="published without: source 'down': database file not found"):
        nightly.mine_sources_flow(config, run_date="2026-11-10")
    latest = ingest.P.latest_run(tmp_path / "runs")
    assert latest and (tmp_path / "runs" / latest / "comments.parquet").exists()
