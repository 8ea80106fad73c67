"""Incremental reads from files and SQLite: each night reads only what is new, a rerun adds nothing."""
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.helpers import CUSTOMERS, ingest_settings, read_history, sqlite_feedback, write_rows
from txnlp.ingest import run_sources
from txnlp.io.state import StateStore


@pytest.fixture()
def models(fake_embedder, tiny_sentiment):
    return {"embedder": fake_embedder, "sentiment": tiny_sentiment}


def test_ingest_files_incremental_and_rerun_adds_nothing(tmp_path, models):
    folder = tmp_path / "exports"
    write_rows(folder / "day1.csv", CUSTOMERS[:3])
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(folder),
                                           "audience": "customer"}])
    first = run_sources(settings, run_date="2026-11-10", **models)
    assert first.counts["rows_out"] == 3 and first.counts["rows_already_processed"] == 0
    again = run_sources(settings, run_date="2026-11-10", **models)
    assert again.status == "nothing new" and again.run_id == first.run_id
    # an overlapping export: two old rows, two new ones (one of them empty text)
    write_rows(folder / "day2.csv", CUSTOMERS[1:])
    second = run_sources(settings, run_date="2026-11-11", **models)
    c = second.counts
    assert (c["rows_read"], c["rows_out"], c["rows_quarantined"], c["rows_already_processed"]) == (4, 1, 1, 2)
    history = read_history(tmp_path / "runs" / "history")
    assert sorted(history["id"]) == ["c1", "c2", "c3", "c4"]
    assert sorted(history["run_date"].unique()) == ["2026-11-10", "2026-11-11"]
    latest = tmp_path / "runs" / "latest"
    assert latest.is_symlink() and latest.resolve().name == second.run_id
    manifest = json.loads((latest / "manifest.json").read_text())
    shop = manifest["sources"]["shop"]
    assert shop["rows_read"] == shop["rows_written"] + shop["rows_quarantined"] + shop["rows_already_processed"]
    assert [i.get("skipped") for i in shop["inputs"]] == ["already processed", None]
    # full refresh reads everything again, into a run of its own
    full = run_sources(settings, run_date="2026-11-11", full_refresh=True, **models)
    assert full.counts["rows_out"] == 4 and full.run_id != second.run_id


def test_ingest_same_comment_in_two_files_is_one_row(tmp_path, models):
    rows = [{k: v for k, v in r.items() if k != "id"} for r in CUSTOMERS[:2]]
    write_rows(tmp_path / "in" / "a.csv", rows)
    write_rows(tmp_path / "in" / "b.jsonl", [{**rows[0], "exported": "2026-11-09"}])
    settings = ingest_settings(tmp_path, [{"name": "web", "kind": "files", "path": str(tmp_path / "in")}])
    result = run_sources(settings, run_date="2026-11-10", **models)
    assert (result.counts["rows_out"], result.counts["rows_already_processed"]) == (2, 1)


def test_ingest_sqlite_watermark_and_column_mapping(tmp_path, models):
    db = tmp_path / "fb.sqlite"
    url = sqlite_feedback(db, [
        {"ticket": 1, "body": "Wachttijd aan de telefoon is veel te lang", "updated_at": "2026-11-01T10:00", "channel": "phone"},
        {"ticket": 2, "body": "Warteschleife ist eine Katastrophe", "updated_at": "2026-11-02T10:00", "channel": "phone"},
    ])
    source = {"name": "crm", "kind": "sql", "url": url, "table": "feedback", "watermark": "updated_at",
              "audience": "customer", "columns": {"ticket": "id", "body": "text", "updated_at": "created_at"}}
    settings = ingest_settings(tmp_path, [source])
    first = run_sources(settings, run_date="2026-11-02", **models)
    assert first.counts["rows_out"] == 2
    assert StateStore(settings.ingest.state_path).watermark("crm") == "2026-11-02T10:00"
    sqlite_feedback(db, [{"ticket": 3, "body": "Niemand belt terug", "updated_at": "2026-11-02T10:00", "channel": "mail"},
                         {"ticket": 4, "body": "Nobody ever calls back", "updated_at": "2026-11-03T09:00", "channel": "mail"}])
    second = run_sources(settings, run_date="2026-11-03", **models)
    # ticket 2 sits on the old watermark: read again and counted, not written twice; ticket 3 shares it and is not lost
    c = second.counts
    assert (c["rows_read"], c["rows_out"], c["rows_already_processed"]) == (3, 2, 1)
    comments = pd.read_parquet(second.output_dir / "comments.parquet")
    assert sorted(comments["id"]) == ["3", "4"] and set(comments["audience"]) == {"customer"}
    assert sorted(read_history(tmp_path / "runs" / "history")["id"]) == ["1", "2", "3", "4"]


def test_ingest_one_source_down_others_run(tmp_path, models):
    write_rows(tmp_path / "in" / "a.csv", CUSTOMERS[:3])
    settings = ingest_settings(tmp_path, [
        {"name": "ok", "kind": "files", "path": str(tmp_path / "in")},
        {"name": "gone", "kind": "files", "path": str(tmp_path / "missing")},
        {"name": "db", "kind": "sql", "url": f"sqlite:///{tmp_path / 'nope.sqlite'}", "table": "t", "watermark": "w"},
    ])
    result = run_sources(settings, run_date="2026-11-10", **models)
    assert result.counts["rows_out"] == 3
    assert set(result.failed) == {"gone", "db"}
    assert "folder not found" in result.failed["gone"] and "database file not found" in result.failed["db"]
    manifest = json.loads((result.output_dir / "manifest.json").read_text())
    assert manifest["sources"]["gone"]["status"] == "failed"
    state = StateStore(settings.ingest.state_path)
    assert state.processed_ids("gone") == set() and state.watermark("db") is None


def test_ingest_sample_db_is_the_default_sql_source(tmp_path, monkeypatch):
    from tests.ingest.helpers import ingest_settings as make
    from txnlp.ingest import stage_source
    from txnlp.io.sample_db import build_sample_db

    root = Path(__file__).resolve().parents[2]
    db = build_sample_db(root / "data" / "sample", tmp_path / ".cache" / "txnlp" / "sample_feedback.sqlite")
    monkeypatch.chdir(tmp_path)  # the default url is relative: sqlite:///.cache/txnlp/sample_feedback.sqlite
    spec = make(tmp_path, [{"name": "sample", "kind": "sql", "table": "feedback", "watermark": "created_at"}]
                ).ingest.sources[0]
    staged = pd.read_parquet(stage_source(spec, tmp_path / "stage", make(tmp_path, [])) / "staged.parquet")
    assert db.exists() and len(staged) > 100 and staged["id"].str.startswith("cust-").all()
