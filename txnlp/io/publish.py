"""Publishing a run exactly once: run folder, history partitions, `latest` pointer, and roll-back.

Order (each step is atomic on its own; the state store commits only after the last one):
1. the run's outputs are written into `runs/.<run_id>.tmp/`, then renamed to `runs/<run_id>/`;
2. its rows go to `history/<table>/run_date=YYYY-MM-DD/part-<run_id>-<i>.parquet`, written by a pyarrow
   dataset into a scratch folder and renamed into place;
3. `runs/latest` is switched to the run by renaming a new symlink over the old one.
A rerun of the same night derives the same run id, so it overwrites the same folder and parts;
a run that never committed is rolled back by `roll_back` before the next one publishes.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from txnlp.io.write import fsync_dir, replace_dir
from txnlp.nested import arrow_table

log = logging.getLogger(__name__)

LATEST = "latest"
HISTORY_TABLES = ("comments", "quarantine")


def tmp_run_dir(runs_dir: Path, run_id: str) -> Path:
    path = Path(runs_dir) / f".{run_id}.tmp"
    shutil.rmtree(path, ignore_errors=True)
    return path


def move_into_place(tmp_dir: Path, runs_dir: Path, run_id: str) -> Path:
    """Rename the finished run folder to `runs/<run_id>/`, replacing an earlier attempt of the same run."""
    return replace_dir(tmp_dir, Path(runs_dir) / run_id)


def write_history_part(history_dir: Path, table: str, frame: pd.DataFrame, run_id: str, run_date: str) -> list[Path]:
    """Write `frame` as this run's own files in `history/<table>/run_date=<run_date>/`; a rerun replaces them.

    Not `io.history.replace_rows`: each run owns its part files, so publishing never rewrites other runs' rows.
    """
    root = Path(history_dir) / table
    partition = root / f"run_date={run_date}"
    scratch = root / f".{run_id}.tmp"
    shutil.rmtree(scratch, ignore_errors=True)
    remove_history(history_dir, run_id, tables=(table,))
    if frame.empty:
        return []
    data = frame.copy()
    data.insert(0, "run_id", run_id)
    data["run_date"] = run_date
    arrow = arrow_table(data)  # the run folder's column types, so every night's parts read as one dataset
    ds.write_dataset(arrow, scratch, format="parquet", basename_template=f"part-{run_id}-{{i}}.parquet",
                     partitioning=ds.partitioning(pa.schema([("run_date", pa.string())]), flavor="hive"),
                     existing_data_behavior="overwrite_or_ignore")
    written = []
    for part in sorted(scratch.rglob("*.parquet")):
        partition.mkdir(parents=True, exist_ok=True)
        target = partition / part.name
        os.replace(part, target)
        written.append(target)
    shutil.rmtree(scratch, ignore_errors=True)
    fsync_dir(partition)
    return written


def remove_history(history_dir: Path, run_id: str, tables=HISTORY_TABLES) -> int:
    removed = 0
    for table in tables:
        for part in (Path(history_dir) / table).glob(f"run_date=*/part-{run_id}-*.parquet"):
            part.unlink()
            removed += 1
    return removed


def switch_latest(runs_dir: Path, run_id: str | None) -> None:
    """Point `runs/latest` at `run_id` atomically (rename of a fresh symlink); None removes it."""
    link = Path(runs_dir) / LATEST
    if run_id is None:
        link.unlink(missing_ok=True)
        return
    tmp = Path(runs_dir) / f".{LATEST}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(run_id, tmp)
    os.replace(tmp, link)
    fsync_dir(runs_dir)


def latest_run(runs_dir: Path) -> str | None:
    link = Path(runs_dir) / LATEST
    return os.readlink(link) if link.is_symlink() else None


def roll_back(runs_dir: Path, history_dir: Path, run_id: str, fallback: str | None) -> None:
    """Undo whatever an unfinished run put in place: history parts, run folder, `latest` pointer."""
    parts = remove_history(history_dir, run_id)
    if latest_run(runs_dir) == run_id:
        switch_latest(runs_dir, fallback)
    shutil.rmtree(Path(runs_dir) / run_id, ignore_errors=True)
    shutil.rmtree(Path(runs_dir) / f".{run_id}.tmp", ignore_errors=True)
    log.warning("rolled back unfinished run %s (%d history part(s) removed)", run_id, parts)
