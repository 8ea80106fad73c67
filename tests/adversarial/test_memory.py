"""Memory that follows the night, not the history (issue 13, item 11): SQL read in chunks, processed ids looked up
per chunk, each file read once. The KPI history's partitions are tested in tests/io/test_history.py."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.ingest.helpers import ingest_settings, sqlite_feedback, write_rows
from txnlp.config import SourceSettings
from txnlp.ingest import run_sources
from txnlp.io.sources import Seen, read_source
from txnlp.io.state import SourceCommit, StateStore

ROWS = [{"ticket": i, "body": f"Wachttijd {i} minuten aan de telefoon", "updated_at": f"2026-11-01T{i:02d}:00",
         "channel": "phone"} for i in range(1, 24)]
COLUMNS = {"ticket": "id", "body": "text"}


@pytest.fixture()
def models(fake_embedder, tiny_sentiment):
    return {"embedder": fake_embedder, "sentiment": tiny_sentiment}


class Lookups:
    """A `Seen.processed` that knows `known` and records the size of every question asked."""

    def __init__(self, known=()):
        self.known, self.asked = set(known), []

    def __call__(self, ids):
        self.asked.append(len(ids))
        return self.known & set(ids)


def test_memory_sql_more_rows_than_a_chunk_gives_every_row_and_asks_per_chunk(tmp_path):
    url = sqlite_feedback(tmp_path / "fb.sqlite", ROWS)
    spec = SourceSettings(name="crm", kind="sql", url=url, table="feedback", watermark="updated_at", columns=COLUMNS)
    lookups = Lookups(known={"2", "11", "23"})  # one id in each chunk already processed
    batch = read_source(spec, seen=Seen(processed=lookups), chunk_rows=10)
    assert lookups.asked == [10, 10, 3]  # one lookup per chunk of at most chunk_rows ids, never the whole table
    assert sorted(int(r["id"]) for r in batch.rows) == [i for i in range(1, 24) if i not in (2, 11, 23)]
    assert [r["input_row"] for r in batch.rows][:3] == [1, 3, 4]  # row numbers run on across chunks
    assert (batch.rows_read, batch.already_processed, batch.quarantine) == (23, 3, [])
    assert batch.watermark == "2026-11-01T23:00"  # the highest over every chunk, not the last chunk's


def test_memory_sql_chunks_through_the_state_store_skip_processed_ids(tmp_path, models, monkeypatch):
    db = tmp_path / "fb.sqlite"
    url = sqlite_feedback(db, ROWS[:15])
    source = {"name": "crm", "kind": "sql", "url": url, "table": "feedback", "columns": COLUMNS}  # no watermark
    settings = ingest_settings(tmp_path, [source])
    settings.ingest.read_chunk_rows = 4

    def whole_set(self, source):
        raise AssertionError("a run loaded every processed id")

    monkeypatch.setattr(StateStore, "processed_ids", whole_set)
    first = run_sources(settings, run_date="2026-11-01", **models)
    assert (first.counts["rows_read"], first.counts["rows_out"]) == (15, 15)
    sqlite_feedback(db, ROWS[15:])
    second = run_sources(settings, run_date="2026-11-02", **models)  # the whole table again, 6 chunks of 4
    c = second.counts
    assert (c["rows_read"], c["rows_out"], c["rows_already_processed"]) == (23, 8, 15)
    assert sorted(pd.read_parquet(second.output_dir / "comments.parquet")["id"].astype(int)) == list(range(16, 24))


def test_memory_state_store_answers_only_for_the_ids_asked(tmp_path):
    state = StateStore(tmp_path / "state.sqlite")
    state.begin("r1", "2026-11-01")
    ids = {f"id{i}": "written" for i in range(1200)}
    state.commit("r1", [SourceCommit("shop", ids=ids), SourceCommit("crm", ids={"id5": "written"})])
    asked = [f"id{i}" for i in range(1100, 1300)] * 2 + ["id5", "new"]  # repeats; more than one lookup chunk
    assert state.processed_among("shop", asked) == {f"id{i}" for i in range(1100, 1200)} | {"id5"}
    assert state.processed_among("crm", asked) == {"id5"}  # per source
    assert state.processed_among("shop", [f"id{i}" for i in range(1000)]) == {f"id{i}" for i in range(1000)}
    assert state.processed_among("shop", []) == set()


def test_memory_each_file_of_a_source_is_read_once(tmp_path, monkeypatch):
    write_rows(tmp_path / "in" / "a.csv", [{"id": "a1", "text": "De app crasht"}])
    write_rows(tmp_path / "in" / "b.jsonl", [{"id": "b1", "text": "Die App stürzt ab"}])
    reads: list[str] = []
    read_bytes = Path.read_bytes

    def counting(self):
        reads.append(self.name)
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    batch = read_source(SourceSettings(name="web", kind="files", path=tmp_path / "in"))
    assert sorted(r["id"] for r in batch.rows) == ["a1", "b1"]
    assert sorted(reads) == ["a.csv", "b.jsonl"]  # hashed and parsed from one read
