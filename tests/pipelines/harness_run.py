"""Run the nightly flow under Prefect's test harness in a fresh process; print what Prefect kept, as JSON.

`python tests/pipelines/harness_run.py INPUT OUTPUT CONFIG`, from the repo root with PYTHONPATH=.
A fresh process, because Prefect reads its logging settings once, at import: the import order is
what `python -m pipelines.nightly` and `make demo` do (the `pipelines` package first), which the pytest
process, having imported Prefect long before, can't show.
"""
import json
import logging
import sys

from pipelines.nightly import mine_feedback_flow  # the package first: it sets Prefect's logging settings

from prefect import get_client  # noqa: E402
from prefect.logging.handlers import APILogHandler  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402
from prefect_reads import flow_run_artifacts, flow_run_logs  # noqa: E402


def main(inputs: str, output: str, config: str) -> dict:
    with prefect_test_harness(server_startup_timeout=120):
        state = mine_feedback_flow([inputs], output, config, return_state=True)
        flow_run_id = state.state_details.flow_run_id
        APILogHandler().flush()  # logs go in batches: send what is queued before reading them back
        with get_client(sync_client=True) as client:
            logs = flow_run_logs(client, flow_run_id)
            artifacts = flow_run_artifacts(client, flow_run_id)
    logger = logging.getLogger("txnlp")
    return {"state": state.type.value,
            "txnlp_level": logging.getLevelName(logger.getEffectiveLevel()),
            "txnlp_handlers": [type(h).__name__ for h in logger.handlers],
            "logs": [{"name": log.name, "level": log.level, "message": log.message} for log in logs],
            "artifacts": [{"key": a.key, "type": a.type, "data": a.data} for a in artifacts]}


if __name__ == "__main__":
    print("HARNESS_RESULT " + json.dumps(main(*sys.argv[1:4]), default=str))
