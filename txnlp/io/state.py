"""State store of incremental ingestion (SQLite): watermarks, processed ids, seen files and the run journal.

Only ids, file hashes, watermark values and run ids are kept here, never text. A source's state
moves only in `commit`, one transaction that runs after the run's outputs are published, so a run
killed at any point leaves the state where the last published run left it. A run that began
publishing but never committed stays `publishing` in the journal, so the next run can roll back
whatever it had already put in place.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watermarks (source TEXT PRIMARY KEY, value TEXT NOT NULL, run_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS processed (source TEXT NOT NULL, id TEXT NOT NULL, run_id TEXT NOT NULL,
                                      outcome TEXT NOT NULL, PRIMARY KEY (source, id));
CREATE TABLE IF NOT EXISTS files (source TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL,
                                  run_id TEXT NOT NULL, PRIMARY KEY (source, sha256));
CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, run_date TEXT NOT NULL, status TEXT NOT NULL,
                                 started TEXT NOT NULL, finished TEXT);
"""

_LOOKUP_CHUNK = 500  # SQLite's default limit on host parameters is 999

PUBLISHING = "publishing"
PUBLISHED = "published"
ROLLED_BACK = "rolled_back"


def encode_watermark(value) -> str:
    """Watermarks keep their type, so a timestamp column is compared with a timestamp next time."""
    if isinstance(value, datetime):
        return json.dumps({"t": "datetime", "v": value.isoformat()})
    if isinstance(value, date):
        return json.dumps({"t": "date", "v": value.isoformat()})
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        value = str(value)
    return json.dumps({"t": type(value).__name__, "v": value})


def decode_watermark(text: str | None):
    if text is None:
        return None
    obj = json.loads(text)
    if obj["t"] == "datetime":
        return datetime.fromisoformat(obj["v"])
    if obj["t"] == "date":
        return date.fromisoformat(obj["v"])
    return obj["v"]


@dataclass
class SourceCommit:
    """What one source's state becomes once the run that read it is published."""

    source: str
    ids: dict[str, str] = field(default_factory=dict)  # id -> outcome (written / quarantined)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256)
    watermark: str | None = None  # encoded


class StateStore:
    """SQLite file at `path`; each call opens its own short connection (safe across processes and Prefect tasks)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
        return conn

    # --- reads --------------------------------------------------------------------------------
    def watermark(self, source: str):
        with _closing(self._connect()) as conn:
            row = conn.execute("SELECT value FROM watermarks WHERE source = ?", (source,)).fetchone()
        return decode_watermark(row[0]) if row else None

    def processed_ids(self, source: str) -> set[str]:
        """Every id `source` ever processed: for inspection; a run asks `processed_among` instead."""
        with _closing(self._connect()) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM processed WHERE source = ?", (source,))}

    def processed_among(self, source: str, ids: list[str]) -> set[str]:
        """Which of `ids` earlier runs of `source` wrote or quarantined: looked up by key, a chunk at a time.

        A run asks about the ids it read, never for every id ever processed, so its memory follows the
        night, not the store's history.
        """
        unique = list(dict.fromkeys(ids))
        found: set[str] = set()
        with _closing(self._connect()) as conn:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                part = unique[start:start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(part))
                found.update(r[0] for r in conn.execute(
                    f"SELECT id FROM processed WHERE source = ? AND id IN ({marks})", (source, *part)))
        return found

    def seen_files(self, source: str) -> set[str]:
        with _closing(self._connect()) as conn:
            return {r[0] for r in conn.execute("SELECT sha256 FROM files WHERE source = ?", (source,))}

    def runs(self, status: str | None = None) -> list[dict]:
        query = "SELECT run_id, run_date, status, started, finished FROM runs"
        args: tuple = ()
        if status is not None:
            query += " WHERE status = ?"
            args = (status,)
        with _closing(self._connect()) as conn:
            rows = conn.execute(query + " ORDER BY started, run_id", args).fetchall()
        return [dict(zip(("run_id", "run_date", "status", "started", "finished"), r)) for r in rows]

    def last_published(self) -> str | None:
        done = [r for r in self.runs(PUBLISHED)]
        return max(done, key=lambda r: r["finished"] or "")["run_id"] if done else None

    # --- writes -------------------------------------------------------------------------------
    def begin(self, run_id: str, run_date: str) -> None:
        """Journal the run as `publishing` before any output of it is put in place."""
        with _closing(self._connect()) as conn:
            conn.execute("INSERT INTO runs (run_id, run_date, status, started) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, started = excluded.started, "
                         "finished = NULL", (run_id, run_date, PUBLISHING, _now()))

    def mark(self, run_id: str, status: str) -> None:
        with _closing(self._connect()) as conn:
            conn.execute("UPDATE runs SET status = ?, finished = ? WHERE run_id = ?", (status, _now(), run_id))

    def commit(self, run_id: str, updates: list[SourceCommit]) -> None:
        """Advance every source read by `run_id` and mark the run published, all in one transaction."""
        with _closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for u in updates:
                    conn.executemany(
                        "INSERT INTO processed (source, id, run_id, outcome) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(source, id) DO NOTHING",
                        [(u.source, i, run_id, outcome) for i, outcome in u.ids.items()])
                    conn.executemany(
                        "INSERT INTO files (source, sha256, name, run_id) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(source, sha256) DO NOTHING",
                        [(u.source, sha, name, run_id) for name, sha in u.files])
                    if u.watermark is not None:
                        conn.execute("INSERT INTO watermarks (source, value, run_id) VALUES (?, ?, ?) "
                                     "ON CONFLICT(source) DO UPDATE SET value = excluded.value, "
                                     "run_id = excluded.run_id", (u.source, u.watermark, run_id))
                conn.execute("UPDATE runs SET status = ?, finished = ? WHERE run_id = ?", (PUBLISHED, _now(), run_id))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        log.info("state: run %s committed for %d source(s)", run_id, len(updates))


class _closing:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
