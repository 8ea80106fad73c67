"""Redaction gaps (issue 13, item 9): the labelled hostile cases, and passthrough columns on every staging path."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from tests.ingest.helpers import ingest_settings, write_rows
from txnlp.config import load_settings
from txnlp.ingest import stage_source
from txnlp.runner import STAGED, stage
from txnlp.text.pii_eval import read_labelled_pii, score_redaction

REPO = Path(__file__).resolve().parents[2]
ROWS = [{"id": "a1", "text": "Frau Dr. Müller war super", "customer_name": "Jan Jansen", "phone": 31612345678},
        {"id": "a2", "text": "dhr. P. Jansen belde niet", "customer_name": "Anna van den Berg", "phone": 4711}]


def test_redaction_hostile_cases_all_caught():
    score = score_redaction(read_labelled_pii(REPO / "data" / "pii")["hostile"])
    assert score["n_pii"] >= 15
    assert score["recall"] == 1.0 and score["false_positive_lines"] == 0, score


def _assert_redacted(frame: pd.DataFrame) -> None:
    body = frame.to_csv(index=False)
    for secret in ("Müller", "Jansen", "van den Berg", "31612345678"):
        assert secret not in body, secret
    assert frame["customer_name"].tolist() == ["[NAME]", "[NAME]"]
    assert frame["phone"].tolist() == ["[PHONE]", "4711"]


def test_redaction_passthrough_one_off_run(tmp_path):
    """`txnlp run --input`: a parquet file keeps the phone as an int64 column."""
    path = write_rows(tmp_path / "in" / "export.parquet", ROWS)
    assert pd.read_parquet(path)["phone"].dtype == "int64"
    stage_dir = stage([path], tmp_path / "stage", load_settings(None, embed={"kind": "fake"}))
    _assert_redacted(pd.read_parquet(stage_dir / STAGED))


def test_redaction_passthrough_files_source(tmp_path):
    write_rows(tmp_path / "in" / "export.csv", ROWS)
    settings = ingest_settings(tmp_path, [{"name": "web", "kind": "files", "path": str(tmp_path / "in")}])
    out = stage_source(settings.ingest.sources[0], tmp_path / "stage", settings)
    _assert_redacted(pd.read_parquet(out / STAGED))


def test_redaction_passthrough_sql_source(tmp_path):
    db = tmp_path / "crm.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE feedback (id TEXT, body TEXT, customer_name TEXT, phone INTEGER)")
        conn.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?)",
                         [(r["id"], r["text"], r["customer_name"], r["phone"]) for r in ROWS])
    settings = ingest_settings(tmp_path, [{"name": "crm", "kind": "sql", "url": f"sqlite:///{db}",
                                           "table": "feedback", "columns": {"body": "text"}}])
    out = stage_source(settings.ingest.sources[0], tmp_path / "stage", settings)
    _assert_redacted(pd.read_parquet(out / STAGED))
