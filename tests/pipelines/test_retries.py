"""The flows' one retry rule: what can recover is retried, bad data and bad config fail at once."""
import sqlite3

import pytest
import sqlalchemy.exc as sa_exc
from prefect.states import Completed, Failed

from pipelines.retries import is_transient, retry_transient
from txnlp.errors import ArtifactError, ConfigError, InputDataError, SourceError, StageError, TxnlpError


def _sa_operational(orig: BaseException) -> sa_exc.OperationalError:
    return sa_exc.OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize("exc", [SourceError("crm", "database error"), OSError("share not responding"),
                                 ConnectionError("reset"), ConnectionRefusedError("db down"), TimeoutError("slow"),
                                 sqlite3.OperationalError("database is locked"),
                                 _sa_operational(ConnectionRefusedError("server down")),
                                 _sa_operational(sqlite3.OperationalError("database is locked"))])
def test_retries_is_transient_for_errors_that_can_recover(exc):
    assert is_transient(exc) is True
    assert retry_transient(None, None, Failed(data=exc)) is True


@pytest.mark.parametrize("exc", [InputDataError("input not found: x.csv"), ConfigError("no sources"),
                                 ArtifactError("sha256 mismatch"), StageError("embed", "bad shape"),
                                 TxnlpError("row count mismatch"), ValueError("bug"), KeyError("bug"),
                                 FileNotFoundError("/mnt/exports"), PermissionError("/data"),
                                 SourceError("crm", "invalid SQLAlchemy URL", recoverable=False),
                                 sqlite3.OperationalError("no such table: runs"),
                                 _sa_operational(sqlite3.OperationalError("no such table: feedback"))])
def test_retries_never_for_data_config_or_bugs(exc):
    assert is_transient(exc) is False
    assert retry_transient(None, None, Failed(data=exc)) is False


def test_retries_not_for_a_state_without_an_error():
    assert retry_transient(None, None, Completed(data="done")) is False


def test_retries_sources_mark_a_wrong_path_or_url_unrecoverable(tmp_path):
    """The sources say which failures a retry can't fix: a missing folder or database file, a bad URL."""
    from txnlp.config import SourceSettings
    from txnlp.io.sources import read_source

    specs = [SourceSettings(name="f", kind="files", path=str(tmp_path / "missing")),
             SourceSettings(name="db", kind="sql", url=f"sqlite:///{tmp_path / 'missing.sqlite'}", table="t")]
    for spec in specs:
        with pytest.raises(SourceError) as err:
            read_source(spec)
        assert err.value.recoverable is False and not is_transient(err.value)
