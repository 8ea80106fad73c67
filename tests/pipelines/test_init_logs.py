"""txnlp's log lines reach the Prefect run logs through Prefect's own integration (`pipelines/__init__.py`).

The end-to-end check runs the nightly flow under Prefect's test harness in a fresh process (harness_run.py),
with a planted name, email and phone number in the input: the run's logs hold txnlp's lines, once each,
the artifacts hold the counts and the report path, and none of them holds the planted data.
"""
import json
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import pipelines
from prefect_reads import ARTIFACT_KEYS, TXNLP_PREFECT_ENV, child_env

REPO = Path(__file__).resolve().parents[2]
PII = ("Marieke Jansen", "marieke.jansen@example.com", "+31 6 12345678")


def test_init_logs_adds_txnlp_to_extra_loggers_and_keeps_the_others():
    env = {"PREFECT_LOGGING_EXTRA_LOGGERS": "dask, distributed"}
    pipelines.route_txnlp_logs(env)
    assert env == {"PREFECT_LOGGING_EXTRA_LOGGERS": "dask,distributed,txnlp",
                   "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore"}
    env = {"PREFECT_LOGGING_EXTRA_LOGGERS": "txnlp", "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "warn"}
    pipelines.route_txnlp_logs(env)
    assert env == {"PREFECT_LOGGING_EXTRA_LOGGERS": "txnlp", "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "warn"}
    assert logging.getLogger("txnlp").getEffectiveLevel() == logging.INFO


def test_init_logs_flow_run_has_txnlp_lines_and_artifacts_without_personal_data(tmp_path, sample_csv, fake_config):
    frame = pd.read_csv(sample_csv)
    planted = {"id": "p1", "text": f"mijn naam is {PII[0]}, mail {PII[1]} of bel {PII[2]}: de app logt me uit",
               "audience": "customer", "channel": "app", "score": 2, "region": "Noord"}
    pd.concat([frame, pd.DataFrame([planted])]).to_csv(sample_csv, index=False)
    out = tmp_path / "out"
    env = child_env(tmp_path / "prefect-home", PYTHONPATH=str(REPO))
    assert not set(TXNLP_PREFECT_ENV) & set(env)  # the flow's process must get them from `pipelines` itself
    proc = subprocess.run([sys.executable, str(REPO / "tests/pipelines/harness_run.py"), str(sample_csv), str(out),
                           fake_config], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(next(ln for ln in proc.stdout.splitlines() if ln.startswith("HARNESS_RESULT "))
                        .removeprefix("HARNESS_RESULT "))
    console = proc.stderr
    assert result["state"] == "COMPLETED"
    assert result["txnlp_level"] == "INFO" and result["txnlp_handlers"] == ["APILogHandler"]

    txnlp_logs = [log for log in result["logs"] if log["name"].startswith("txnlp.")]
    staged = [log for log in txnlp_logs if log["message"].startswith("staged 6 rows (1 quarantined)")]
    assert len(staged) == 1, [log["message"] for log in txnlp_logs]  # in the run logs once
    assert any(log["name"] == "txnlp.runner" and log["message"].startswith("run ") for log in txnlp_logs)
    assert console.count("staged 6 rows (1 quarantined)") == 1  # on the console once, through the root handler

    artifacts = {a["key"]: a for a in result["artifacts"]}
    assert set(artifacts) == ARTIFACT_KEYS
    counts = {r["count"]: r["value"] for r in json.loads(artifacts["txnlp-counts"]["data"])}
    assert counts["rows_in"] == 7 and counts["rows_out"] == 6 and counts["quarantined: empty text"] == 1
    assert str((out / "report.html").resolve()) in artifacts["txnlp-report"]["data"]

    kept = (json.dumps(result) + console).lower()
    for value in (*PII, "marieke", "12345678"):
        assert value.lower() not in kept
    for text in frame["text"].str.strip():
        assert not text or text.lower() not in kept
