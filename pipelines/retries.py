"""The one retry rule of the flows' I/O tasks: retry what can recover by itself, fail at once on the rest.

A source that is down, a connection reset or a database locked by a concurrent run may work a minute
later. A missing input path, a bad file or a bad config gives the same error on every try: retrying it
only delays the clear message by the retry delays (70 s with [10, 60]). Every task that retries uses
`retry_transient` as its `retry_condition_fn`; nothing else decides.
"""
from __future__ import annotations

import sqlite3

from txnlp.errors import SourceError, TxnlpError

# A path that does not exist or can't be opened is a config or input mistake, not an outage.
_PATH_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError)
_SQLITE_BUSY = ("locked", "busy")


def _sqlite_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(w in str(exc).lower() for w in _SQLITE_BUSY)


def is_transient(exc: BaseException) -> bool:
    """True for an error that can recover without a change; False for bad input, bad config and bugs.

    Transient: a SourceError marked `recoverable` (its cause is not chained: a database error's message
    can hold SQL and row values), a connection or timeout error and any other OSError but a path error,
    SQLAlchemy's OperationalError (server down, connection lost; for SQLite only a locked or busy file),
    a locked or busy SQLite file. Never: InputDataError, ConfigError and every other TxnlpError,
    FileNotFoundError and the other path errors, ValueError, or any other exception (a bug fails the
    same way again).
    """
    if isinstance(exc, SourceError):
        return exc.recoverable
    if isinstance(exc, TxnlpError):
        return False
    if isinstance(exc, sqlite3.OperationalError):
        return _sqlite_busy(exc)
    try:
        from sqlalchemy.exc import OperationalError
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        OperationalError = ()
    if isinstance(exc, OperationalError):
        orig = getattr(exc, "orig", None)
        return _sqlite_busy(orig) if isinstance(orig, sqlite3.Error) else True
    return isinstance(exc, OSError) and not isinstance(exc, _PATH_ERRORS)


def retry_transient(task, task_run, state) -> bool:
    """Prefect `retry_condition_fn`: retry the failed task run only when its error `is_transient`."""
    exc = state.result(raise_on_failure=False)
    return isinstance(exc, BaseException) and is_transient(exc)
