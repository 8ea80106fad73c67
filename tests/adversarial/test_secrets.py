"""A database password in the config reaches no output file, log line, error message or Prefect state (issue 13,
item 2). The password sits in SQL source URLs given by txnlp.toml or by a TXNLP_ variable; the sources fail to
connect (a PostgreSQL port that refuses, a SQLite URL that may not carry credentials), so the error paths run too."""
from __future__ import annotations

import json
import logging
import traceback
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy
import sqlalchemy.exc
from typer.testing import CliRunner

from tests.ingest.helpers import CUSTOMERS, write_rows
from txnlp.cli import app
from txnlp.config import SourceSettings, load_settings
from txnlp.errors import ConfigError, SourceError
from txnlp.ingest import run_sources
from txnlp.io.sources import read_source

PASSWORD = "S3cret"
PG_URL = f"postgresql+psycopg://txnlp:{PASSWORD}@127.0.0.1:1/crm"  # port 1: refused at once, no server needed


def _sqlite_url(tmp_path: Path) -> str:
    """An existing SQLite file behind credentials, which SQLite's dialect refuses."""
    db = tmp_path / "crm.sqlite"
    db.touch()
    return f"sqlite://txnlp:{PASSWORD}@localhost/{db}"


def _body(path: Path) -> str:
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    return path.read_bytes().decode("utf-8", "replace")


def _leaks(root: Path, **texts: str) -> list[str]:
    """Names of the files under `root` and of the `texts` that hold the password."""
    bodies = {str(p.relative_to(root)): _body(p) for p in root.rglob("*") if p.is_file()}
    return sorted(name for name, body in {**bodies, **texts}.items() if PASSWORD in body)


def _config(tmp_path: Path, sentiment_model) -> Path:
    write_rows(tmp_path / "in" / "a.csv", CUSTOMERS)
    sentiment_model.save(tmp_path / "model")
    path = tmp_path / "conf" / "txnlp.toml"  # outside the scanned runs folder: it holds the password itself
    path.parent.mkdir()
    path.write_text(f"""
[embed]
kind = "fake"
[sentiment]
model_dir = "{tmp_path / 'model'}"
[cluster]
n_clusters = 2
min_cluster_size = 2
[ingest]
runs_dir = "{tmp_path / 'runs'}"
[[ingest.sources]]
name = "shop"
kind = "files"
path = "{tmp_path / 'in'}"
[[ingest.sources]]
name = "crm"
kind = "sql"
url = "{PG_URL}"
table = "feedback"
[[ingest.sources]]
name = "local"
kind = "sql"
url = "{_sqlite_url(tmp_path)}"
table = "feedback"
""", encoding="utf-8")
    return path


def test_secrets_password_in_txnlp_toml_reaches_no_output_log_or_error(tmp_path, tiny_sentiment):
    config = _config(tmp_path, tiny_sentiment)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:  # the CLI sets up its own logging on the runner's stderr
        result = CliRunner().invoke(app, ["run", "--sources", "--config", str(config), "--run-date", "2026-11-10",
                                          "--verbose"])
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    assert result.exit_code == 2, result.output  # published without the two sources that failed
    crashed = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
    runs = tmp_path / "runs"
    assert not _leaks(runs, output=result.output, traceback=crashed)
    assert "source 'crm': database error on postgresql+psycopg://txnlp:***@127.0.0.1:1/crm: OperationalError" in (
        " ".join(result.output.split()))
    assert "source 'local': database error on sqlite://txnlp:***@localhost/" in " ".join(result.output.split())
    manifest = json.loads((runs / "latest" / "manifest.json").read_text())
    urls = [s["url"] for s in manifest["config"]["ingest"]["sources"]]
    assert urls[1] == "postgresql+psycopg://txnlp:***@127.0.0.1:1/crm" and urls[2].startswith("sqlite://txnlp:***@")
    assert manifest["sources"]["crm"]["status"] == "failed" and manifest["sources"]["shop"]["rows_written"] == 4


def test_secrets_password_in_a_txnlp_variable_reaches_no_output_log_or_error(tmp_path, monkeypatch, caplog,
                                                                            fake_embedder, tiny_sentiment):
    write_rows(tmp_path / "in" / "a.csv", CUSTOMERS)
    sources = [{"name": "shop", "kind": "files", "path": str(tmp_path / "in")},
               {"name": "crm", "kind": "sql", "url": PG_URL, "table": "feedback", "watermark": "updated_at"}]
    monkeypatch.setenv("TXNLP_INGEST", json.dumps({"runs_dir": str(tmp_path / "runs"), "sources": sources}))
    caplog.set_level(logging.DEBUG)
    settings = load_settings(None, embed={"kind": "fake"}, cluster={"n_clusters": 2, "min_cluster_size": 2})
    assert settings.ingest.sources[1].url.get_secret_value() == PG_URL  # the variable was read
    result = run_sources(settings, run_date="2026-11-10", embedder=fake_embedder, sentiment=tiny_sentiment)
    assert set(result.failed) == {"crm"} and result.counts["rows_out"] == 4
    assert not _leaks(tmp_path / "runs", logs=caplog.text, failed=str(result.failed), summary=str(result.summary()),
                      settings=repr(settings) + str(settings), spec=repr(settings.ingest.sources[1]))
    with pytest.raises(ConfigError) as err:  # a source the config can't accept: no input value in the message
        load_settings(None, ingest={"sources": [{"name": "crm", "kind": "sql", "url": PG_URL}]})
    assert PASSWORD not in str(err.value) and "needs exactly one of table, query" in str(err.value)


class _EchoingEngine:
    """An engine whose driver puts the password into its error, decoded and as written in the URL."""

    class dialect:  # noqa: N801 (shaped like SQLAlchemy's)
        class identifier_preparer:  # noqa: N801
            quote = staticmethod(lambda name: f'"{name}"')

    def __init__(self, url):
        self.url = url

    def connect(self):
        written = urllib.parse.quote(self.url.password, safe="")
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionError(
            f"could not connect with password={self.url.password} to 127.0.0.1; dsn=txnlp:{written}@host"))

    def dispose(self):
        pass


def test_secrets_driver_text_that_echoes_the_password_is_scrubbed(monkeypatch):
    monkeypatch.setattr(sqlalchemy, "create_engine", _EchoingEngine)
    for password in (PASSWORD, "S3cr@t"):  # the second is written "S3cr%40t" in the URL
        url = PG_URL.replace(PASSWORD, urllib.parse.quote(password, safe=""))
        with pytest.raises(SourceError) as err:
            read_source(SourceSettings(name="crm", kind="sql", url=url, table="feedback"))
        message = str(err.value)
        assert not [s for s in (PASSWORD, "S3cr@t", "S3cr%40t") if s in message], message
        assert "could not connect with password=*** to 127.0.0.1; dsn=txnlp:***@host" in message
        assert err.value.recoverable  # an OperationalError: a retry may reach the server
        assert err.value.__cause__ is None and err.value.__suppress_context__  # no driver error chained below


@pytest.mark.slow
def test_secrets_password_not_in_prefect_states_or_logs(tmp_path, tiny_sentiment, monkeypatch):
    """Under Prefect's engine: the failed task's state message, its logged traceback and the flow's, in the database."""
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
    from prefect.testing.utilities import prefect_test_harness

    from pipelines import nightly

    config = _config(tmp_path, tiny_sentiment)
    monkeypatch.setattr(nightly, "read_source", nightly.read_source.with_options(retry_delay_seconds=0))
    with prefect_test_harness(server_startup_timeout=120):
        database = Path(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split(":///", 1)[1])
        with pytest.raises(SourceError, match=r"published without: source 'crm': database error on "
                                              r"postgresql\+psycopg://txnlp:\*\*\*@"):
            nightly.mine_sources_flow(str(config), run_date="2026-11-10")
    stored = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]  # the file, its -wal
    assert stored and b"database error on" in b"".join(p.read_bytes() for p in stored)
    assert not [p.name for p in stored if PASSWORD.encode() in p.read_bytes()]
    assert not _leaks(tmp_path / "runs")
