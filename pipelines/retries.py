"""The one retry rule of the flows' I/O tasks: retry what can recover by itself, fail at once on the rest.

A source that is down, a share not mounted yet or a database locked by a concurrent run may work a
minute later. A missing input path, a bad file or a bad config gives the same error on every try:
retrying it only delays the clear message by the retry delays (70 s with [10, 60]).
"""
from __future__ import annotations

import sqlite3

from txnlp.errors import SourceError, TxnlpError


def is_transient(exc: BaseException) -> bool:
    """True for an error that can recover without a change: SourceError, OSError, a locked SQLite file.

    Every other TxnlpError (InputDataError, ConfigError, ArtifactError, StageError) is about the data
    or the config and is never retried, nor is any other exception (a bug fails the same way again).
    """
    if isinstance(exc, SourceError):
        return True
    if isinstance(exc, TxnlpError):
        return False
    if isinstance(exc, sqlite3.OperationalError):
        return any(word in str(exc).lower() for word in ("locked", "busy"))
    return isinstance(exc, OSError)


def retry_transient(task, task_run, state) -> bool:
    """Prefect `retry_condition_fn`: retry the failed task run only when its error `is_transient`."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)
