"""`prefect deploy` as the README writes it, against a real Prefect server on loopback, then a real run.

The README's commands, in its order, from the repo root with prefect.yaml unchanged: start a server
(fresh PREFECT_HOME), create the process work pool, `prefect --no-prompt deploy --all`, start a worker,
`prefect deployment run 'mine-feedback/nightly' --param output_dir=...`. The run is the full default
pipeline on data/sample (real models; a few minutes of CPU on two cores). Checked: the run completed,
the output contract is on disk, txnlp's own lines are in the run's Prefect logs (the worker's process
gets PREFECT_LOGGING_EXTRA_LOGGERS from prefect.yaml's job variables, not from this process), the
artifacts exist, and the retrain deployment is registered. Server and worker are stopped whatever happens.
Each step's seconds are printed (`pytest -s`) and kept in the test's user properties.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from prefect_reads import ARTIFACT_KEYS, TXNLP_PREFECT_ENV, child_env, flow_run_artifacts, flow_run_logs

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect"]
RUN_TIMEOUT_S = 15 * 60
# The output contract (README, "What a run produces").
CONTRACT = ["comments.parquet", "comments.csv", "themes.parquet", "themes.csv", "shared_pain_points.parquet",
            "shared_pain_points.csv", "kpis.parquet", "kpis.csv", "quarantine.csv", "manifest.json", "report.html"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process started in its own session, and everything it started (the flow-run process too)."""
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def _background(cmd: list[str], log: Path, env: dict, cwd: Path):
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        _stop(proc)


def _tail(path: Path, n: int = 4000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"prefect server exited with {proc.returncode}:\n{_tail(log)}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                if json.loads(response.read()) is True:
                    return
        except OSError:
            pass
        time.sleep(1)
    pytest.fail(f"prefect server not healthy after {timeout_s} s:\n{_tail(log)}")


def _prefect(args: list[str], env: dict, timeout_s: float = 300) -> str:
    proc = subprocess.run([*PREFECT, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout_s)
    assert proc.returncode == 0, f"prefect {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def _wait_final(client, flow_run_id, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = client.read_flow_run(flow_run_id)
        if run.state is not None and run.state.is_final():
            return run
        assert worker.poll() is None, f"worker exited with {worker.returncode}:\n{_tail(log)}"
        time.sleep(5)
    pytest.fail(f"flow run {flow_run_id} not finished after {RUN_TIMEOUT_S} s:\n{_tail(log)}")


def test_deploy_nightly_runs_on_a_worker_with_logs_and_artifacts(tmp_path, record_property):
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = child_env(tmp_path / "prefect-home", PREFECT_API_URL=api)
    assert not set(TXNLP_PREFECT_ENV) & set(env)  # the worker's run must get them from prefect.yaml
    out = tmp_path / "nightly"
    timings: dict[str, float] = {}
    git_status = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout

    started = time.monotonic()
    with _background([*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                     tmp_path / "server.log", env, tmp_path) as server:
        _wait_healthy(api, server, tmp_path / "server.log")
        timings["server_start_s"] = time.monotonic() - started

        t = time.monotonic()
        _prefect(["work-pool", "create", "default", "--type", "process"], env)
        timings["work_pool_create_s"] = time.monotonic() - t

        t = time.monotonic()
        _prefect(["--no-prompt", "deploy", "--all"], env)
        timings["deploy_all_s"] = time.monotonic() - t

        with _background([*PREFECT, "worker", "start", "--pool", "default"], tmp_path / "worker.log", env,
                         tmp_path) as worker:
            t = time.monotonic()
            text = _prefect(["deployment", "run", "mine-feedback/nightly", "--param", f"output_dir={out}"], env)
            flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", text).group(1)
            with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
                run = _wait_final(client, flow_run_id, worker, tmp_path / "worker.log")
                timings["deployment_run_s"] = time.monotonic() - t
                logs = flow_run_logs(client, flow_run_id)
                artifacts = flow_run_artifacts(client, flow_run_id)
                retrain = client.read_deployment_by_name("retrain-classifier/retrain-classifier")
                nightly = client.read_deployment_by_name("mine-feedback/nightly")

    for key, value in timings.items():
        record_property(key, round(value, 1))
    print("\ndeploy test timings (s): " + json.dumps({k: round(v, 1) for k, v in timings.items()}))

    assert run.state.is_completed(), f"{run.state.type}: {run.state.message}\n{_tail(tmp_path / 'worker.log')}"
    missing = [name for name in CONTRACT if not (out / name).is_file()]
    assert not missing, f"missing outputs: {missing}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["rows_in"] == manifest["counts"]["rows_out"] + manifest["counts"]["rows_quarantined"]

    done = [log for log in logs if log.name == "txnlp.runner" and log.message.startswith(f"run {manifest['run_id']}:")]
    assert len(done) == 1, [(log.name, log.message) for log in logs]  # there, and once: one API handler
    assert ARTIFACT_KEYS <= {a.key for a in artifacts}

    assert retrain.entrypoint == "pipelines/retrain.py:retrain_classifier" and retrain.work_pool_name == "default"
    assert nightly.job_variables["env"]["PREFECT_LOGGING_EXTRA_LOGGERS"] == "txnlp"
    after = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    assert after == git_status  # deploy and the run wrote nothing into the checkout
