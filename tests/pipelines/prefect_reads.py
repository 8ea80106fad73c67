"""What a finished flow run left in Prefect, read through the client; shared by the harness and deploy tests.

Imported by name (tests/pipelines is on sys.path under pytest, and is the script folder of harness_run.py).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

# The settings `pipelines/__init__.py` puts in the environment: a child process must get them from
# what it runs (the package, or prefect.yaml's job variables), not inherit them from the test process.
TXNLP_PREFECT_ENV = ("PREFECT_LOGGING_EXTRA_LOGGERS", "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW")
ARTIFACT_KEYS = {"txnlp-counts", "txnlp-pain-points", "txnlp-report"}


def child_env(prefect_home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without Prefect's settings, with a fresh PREFECT_HOME, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(prefect_home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120", **extra)
    return env


def flow_run_logs(client, flow_run_id, want: str = "txnlp", wait_s: float = 20.0) -> list:
    """The run's logs; logs are sent in batches, so wait up to `wait_s` for a line from logger `want`."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + wait_s
    while True:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        if any(log.name.startswith(want) for log in logs) or time.monotonic() > deadline:
            return logs
        time.sleep(1)


def flow_run_artifacts(client, flow_run_id) -> list:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    return client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
