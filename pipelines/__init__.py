"""Prefect flows: thin wrappers over txnlp's library functions.

txnlp's own log lines (counts, ids, timings; never comment text) reach the Prefect run logs through
Prefect's logging integration, not a logger of our own: `logging.extra_loggers`
(`PREFECT_LOGGING_EXTRA_LOGGERS=txnlp`) makes Prefect attach its API handler to the `txnlp` logger
when it sets up logging, which it does once, at `import prefect`. So the setting must be in the
environment before that import. This package sets it on import, before any of its modules imports
Prefect (`python -m pipelines.nightly`, `make demo`, `python -m pipelines.retrain`, the tests);
`prefect.yaml` sets it in the deployments' job variables, because a worker's flow-run process
imports Prefect before it loads the flow.
"""
from __future__ import annotations

import logging
import os

EXTRA_LOGGERS = "PREFECT_LOGGING_EXTRA_LOGGERS"
# txnlp also logs outside any flow run (a flow's main() around the run, tests calling task.fn()): those
# lines have no run to go to, so Prefect's API handler drops them quietly instead of warning per line.
WHEN_MISSING_FLOW = "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"
LOGGER = "txnlp"


def route_txnlp_logs(environ=os.environ) -> None:
    """Ask Prefect (when it is imported next) to send the `txnlp` logger's lines to the run logs, at INFO.

    `txnlp` is added to any extra loggers already set. The level: without one, `txnlp` inherits the
    root's WARNING and its INFO lines never reach a handler. The lines still reach the console once,
    through the root logger's handler: Prefect's API handler does not print.
    """
    names = [n.strip() for n in environ.get(EXTRA_LOGGERS, "").split(",") if n.strip()]
    if LOGGER not in names:
        environ[EXTRA_LOGGERS] = ",".join([*names, LOGGER])
    environ.setdefault(WHEN_MISSING_FLOW, "ignore")
    logger = logging.getLogger(LOGGER)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


route_txnlp_logs()
