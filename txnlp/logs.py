"""Structured log lines with the run id on each, for whoever configures logging (the CLI does).

The library only sets the current run id (`run_context`); it never adds handlers. `RunIdFilter` puts
the id on every record and `LineFormatter` writes one logfmt line per event, newlines escaped, so a
log line is never split and can be parsed. Messages carry counts, ids and timings, never comment text.
"""
from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from datetime import datetime, timezone

_RUN_ID: contextvars.ContextVar[str] = contextvars.ContextVar("txnlp_run_id", default="-")


@contextmanager
def run_context(run_id: str):
    """Every log record made inside carries `run_id` (once RunIdFilter is installed on a handler)."""
    token = _RUN_ID.set(run_id)
    try:
        yield run_id
    finally:
        _RUN_ID.reset(token)


class RunIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = _RUN_ID.get()
        return True


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


class LineFormatter(logging.Formatter):
    """`ts=... level=INFO logger=txnlp.runner run_id=... msg="..."`: one line per event."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        line = (f"ts={ts} level={record.levelname} logger={record.name} "
                f"run_id={getattr(record, 'run_id', _RUN_ID.get())} msg={_quote(record.getMessage())}")
        if record.exc_info:
            line += f" exc={_quote(self.formatException(record.exc_info))}"
        return line
