"""Shared helpers for the ingestion tests: settings for a runs folder and a comparison that ignores timestamps."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd

from txnlp.config import load_settings


def ingest_settings(root: Path, sources: list[dict], **extra):
    return load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2}, embed={"kind": "fake"},
                         ingest={"runs_dir": str(root / "runs"), "state_path": str(root / "runs" / "state.sqlite"),
                                 "sources": sources}, **extra)


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif path.suffix == ".parquet":
        pd.DataFrame(rows).to_parquet(path, index=False)
    elif path.suffix == ".xlsx":
        pd.DataFrame(rows).to_excel(path, index=False)
    else:
        pd.DataFrame(rows).to_csv(path, index=False)
    return path


def sqlite_feedback(path: Path, rows: list[dict]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS feedback (ticket INTEGER PRIMARY KEY, body TEXT, "
                     "updated_at TEXT, channel TEXT)")
        conn.executemany("INSERT INTO feedback VALUES (:ticket, :body, :updated_at, :channel)", rows)
    return f"sqlite:///{path}"


def comparable_outputs(run_dir: Path) -> dict:
    """Every output of a run, with the timestamps and timings of the manifest left out."""
    out = {}
    for f in sorted(run_dir.iterdir()):
        if f.suffix == ".parquet":
            out[f.name] = pd.read_parquet(f).to_csv(index=False)
        elif f.name == "manifest.json":
            m = json.loads(f.read_text())
            m.pop("created"), m.pop("timings")
            out[f.name] = m
        elif f.name == "report.html":
            out[f.name] = "\n".join(line for line in f.read_text().splitlines() if "txnlp 0" not in line)
        else:
            out[f.name] = f.read_text()
    return out


CUSTOMERS = [
    {"id": "c1", "text": "De app logt me steeds uit, erg irritant", "channel": "app", "created_at": "2026-11-01"},
    {"id": "c2", "text": "Die App meldet mich ständig ab, nervig", "channel": "app", "created_at": "2026-11-02"},
    {"id": "c3", "text": "Приложение постоянно выкидывает из аккаунта", "channel": "app", "created_at": "2026-11-03"},
    {"id": "c4", "text": "Great help in the shop, thanks!", "channel": "shop", "created_at": "2026-11-04"},
    {"id": "c5", "text": "   ", "channel": "web", "created_at": "2026-11-05"},
]


def read_history(history_dir: Path, table: str = "comments") -> pd.DataFrame:
    """Every published row of `table`, with `run_date` from the partition."""
    files = sorted(str(p) for p in (Path(history_dir) / table).glob("run_date=*/part-*.parquet"))
    if not files:
        return pd.DataFrame()
    # One file at a time: parts of different runs may carry different passthrough columns.
    return pd.concat([pd.read_parquet(f).assign(run_date=Path(f).parent.name.split("=", 1)[1]) for f in files],
                     ignore_index=True)


def shop_and_down_config(tmp_path: Path, sentiment_model) -> str:
    """A config with two sources, one readable (`shop`) and one down (`down`, a missing SQLite file)."""
    write_rows(tmp_path / "in" / "a.csv", CUSTOMERS)
    sentiment_model.save(tmp_path / "sentiment")
    path = tmp_path / "txnlp.toml"
    path.write_text(f"""
[embed]
kind = "fake"
[sentiment]
model_dir = "{tmp_path / 'sentiment'}"
[cluster]
n_clusters = 2
min_cluster_size = 2
[ingest]
runs_dir = "{tmp_path / 'runs'}"
[[ingest.sources]]
name = "shop"
kind = "files"
path = "{tmp_path / 'in'}"
audience = "customer"
[[ingest.sources]]
name = "down"
kind = "sql"
url = "sqlite:///{tmp_path / 'absent.sqlite'}"
table = "feedback"
""", encoding="utf-8")
    return str(path)
