"""The embedded default SQL source: a SQLite feedback database built from the CSV exports in data/sample/."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from txnlp import vocab as V

TABLE = "feedback"


def build_sample_db(sample_dir: str | Path, db_path: str | Path) -> Path:
    """(Re)build `db_path` with one `feedback` table from every CSV in `sample_dir`; returns the path."""
    files = sorted(Path(sample_dir).glob("*.csv"))
    frame = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
    frame = frame.sort_values([V.CREATED_AT, V.ID], kind="stable")
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as conn:
        frame.to_sql(TABLE, conn, index=False)
    tmp.replace(db_path)
    return db_path
