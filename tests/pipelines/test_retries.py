"""The flows' one retry rule: what can recover is retried, bad data and bad config fail at once."""
import sqlite3

import pytest
from prefect.states import Completed, Failed

from pipelines.retries import is_transient, retry_transient
from txnlp.errors import ArtifactError, ConfigError, InputDataError, SourceError, StageError, TxnlpError


@pytest.mark.parametrize("exc", [SourceError("crm", "database error"), OSError("share not mounted"),
                                 ConnectionError("reset"), TimeoutError("slow"), FileNotFoundError("/mnt/exports"),
                                 sqlite3.OperationalError("database is locked")])
def test_retries_is_transient_for_errors_that_can_recover(exc):
    assert is_transient(exc) is True
    assert retry_transient(None, None, Failed(data=exc)) is True


@pytest.mark.parametrize("exc", [InputDataError("input not found: x.csv"), ConfigError("no sources"),
                                 ArtifactError("sha256 mismatch"), StageError("embed", "bad shape"),
                                 TxnlpError("row count mismatch"), ValueError("bug"), KeyError("bug"),
                                 sqlite3.OperationalError("no such table: runs")])
def test_retries_never_for_data_config_or_bugs(exc):
    assert is_transient(exc) is False
    assert retry_transient(None, None, Failed(data=exc)) is False


def test_retries_not_for_a_state_without_an_error():
    assert retry_transient(None, None, Completed(data="done")) is False
