"""Incremental reads from a real PostgreSQL server (started by .ci/run; TXNLP_TEST_PG_URL names it).

Skipped only locally when TXNLP_TEST_PG_URL is unset; in CI (CI=true) a missing server fails.
"""
import os
import uuid
from datetime import datetime, timezone

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.ingest.helpers import ingest_settings
from txnlp.errors import SourceError
from txnlp.ingest import run_sources, stage_source
from txnlp.config import SourceSettings


@pytest.fixture()
def pg_table():
    url = os.environ.get("TXNLP_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("TXNLP_TEST_PG_URL is unset in CI: .ci/run must start PostgreSQL")
        pytest.skip("TXNLP_TEST_PG_URL unset (run `. .ci/postgres.sh` to start a local PostgreSQL)")
    engine = sa.create_engine(url)
    table = f"feedback_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (ticket_id BIGINT PRIMARY KEY, comment TEXT, "
                             "channel TEXT, updated_at TIMESTAMPTZ)"))
    yield url, engine, table
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def _insert(engine, table, rows):
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:ticket_id, :comment, :channel, :updated_at)"), rows)


def _at(day: int, hour: int = 9):
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


def test_ingest_postgres_incremental(tmp_path, pg_table, fake_embedder, tiny_sentiment):
    url, engine, table = pg_table
    _insert(engine, table, [
        {"ticket_id": 1, "comment": "Wachttijd aan de telefoon is veel te lang", "channel": "phone", "updated_at": _at(1)},
        {"ticket_id": 2, "comment": "Warteschleife ist eine Katastrophe", "channel": "phone", "updated_at": _at(2)},
        {"ticket_id": 3, "comment": "", "channel": "phone", "updated_at": None},
    ])
    source = {"name": "pg", "kind": "sql", "url": url, "table": table, "watermark": "updated_at",
              "audience": "customer", "columns": {"ticket_id": "id", "comment": "text"}}
    settings = ingest_settings(tmp_path, [source])
    models = {"embedder": fake_embedder, "sentiment": tiny_sentiment}
    first = run_sources(settings, run_date="2026-11-02", **models)
    assert (first.counts["rows_out"], first.counts["rows_quarantined"]) == (2, 1)
    assert run_sources(settings, run_date="2026-11-02", **models).status == "nothing new"
    _insert(engine, table, [
        {"ticket_id": 4, "comment": "Niemand belt terug", "channel": "mail", "updated_at": _at(2)},
        {"ticket_id": 5, "comment": "Никто не перезванивает", "channel": "mail", "updated_at": _at(3)},
    ])
    second = run_sources(settings, run_date="2026-11-03", **models)
    c = second.counts
    # re-read: ticket 2 (on the watermark) and 3 (NULL watermark), both already processed
    assert (c["rows_read"], c["rows_out"], c["rows_already_processed"]) == (4, 2, 2)
    assert sorted(pd.read_parquet(second.output_dir / "comments.parquet")["id"]) == ["4", "5"]


def test_ingest_postgres_query_source(tmp_path, pg_table):
    url, engine, table = pg_table
    _insert(engine, table, [{"ticket_id": 7, "comment": "App crasht", "channel": "app", "updated_at": _at(4)},
                            {"ticket_id": 8, "comment": "Shop is fine", "channel": "shop", "updated_at": _at(4)}])
    spec = SourceSettings(name="pgq", kind="sql", url=url, watermark="updated_at",
                          query=f"SELECT ticket_id AS id, comment AS text, updated_at FROM {table} WHERE channel = 'app'")
    staged = stage_source(spec, tmp_path / "stage", ingest_settings(tmp_path, []))
    assert pd.read_parquet(staged / "staged.parquet")["id"].tolist() == ["7"]


def test_ingest_postgres_down_is_a_source_error(tmp_path):
    spec = SourceSettings(name="crm", kind="sql", url="postgresql+psycopg://u:s3cret@127.0.0.1:1/db", table="t")
    with pytest.raises(SourceError, match="source 'crm': database error") as info:
        stage_source(spec, tmp_path / "stage", ingest_settings(tmp_path, []))
    assert "s3cret" not in str(info.value)
