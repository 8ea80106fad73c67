"""Publish a run's KPI table and file it in the nightly history.

The KPI history is a folder with one partition per night (`kpi_history/run_date=YYYY-MM-DD/kpis.parquet`):
publishing a night again (a rerun, or `txnlp report` on the same folder) replaces that night's file
only, so the history never holds the same night twice and a night's publish never rewrites the others.
`replace_rows` keeps a small keyed table (the theme history) in one file.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from txnlp import vocab as V
from txnlp.io.write import PendingWrites, write_table, write_to

log = logging.getLogger(__name__)

HISTORY_DIR = "kpi_history"
PARTITION_FILE = "kpis.parquet"
# The single file that held every night before the history was partitioned; still read, never written.
LEGACY_FILE = "kpi_history.parquet"
_SORT = ("run_date", "dimension", "value", "metric")


def history_path(run_dir: Path, history_dir: Path | None = None) -> Path:
    """`history_dir/kpi_history/`, one partition per night; by default in `history/` beside the run folder."""
    base = Path(history_dir) if history_dir is not None else Path(run_dir).resolve().parent / "history"
    return base / HISTORY_DIR


def partition_path(path: Path, run_date: str) -> Path:
    """The file of one night: `<path>/run_date=<run_date>/kpis.parquet` (hive layout, as the ingest history)."""
    return Path(path) / f"run_date={run_date}" / PARTITION_FILE


def replace_rows(rows: pd.DataFrame, path: Path, key: str, columns, sort_by,
                 pending: PendingWrites | None = None) -> pd.DataFrame:
    """Replace the rows of `rows`' `key` values in the parquet table at `path`, append, sort, write atomically.

    For a small keyed history kept in one file (the theme history): a rerun replaces its own rows, so
    the history never counts a run twice. Returns the whole table; with `pending` the file changes
    only at `pending.commit()`.
    """
    path = Path(path)
    if path.exists():
        old = pd.read_parquet(path)
        old = old[~old[key].isin(set(rows[key]))]
        table = pd.concat([old, rows], ignore_index=True) if len(old) else rows.copy()
    else:
        table = rows.copy()
    table = table[list(columns)].sort_values(list(sort_by), kind="stable").reset_index(drop=True)
    write_to(path, lambda p: table.to_parquet(p, index=False), pending)
    return table


def append_kpi_history(kpis: pd.DataFrame, path: Path, pending: PendingWrites | None = None) -> pd.DataFrame:
    """Write each night in `kpis` as its own partition of the history at `path`; return the whole history.

    A night's partition is replaced whole (a rerun or a backfill of that night) and no other night's
    file is rewritten, so publishing writes one night, however long the history. With `pending`
    the partition changes only at `pending.commit()`; the history returned already holds `kpis`.
    """
    columns = [c for c in V.KPI_COLUMNS if c != "run_date"]  # the night is the partition's name
    for night, rows in kpis.groupby("run_date", sort=True):
        part = rows.sort_values(list(_SORT), kind="stable")[columns].reset_index(drop=True)
        write_to(partition_path(path, str(night)), lambda p, part=part: part.to_parquet(p, index=False), pending)
    earlier = load_history(path, skip=set(kpis["run_date"].astype(str)))
    history = _sorted(pd.concat([earlier, kpis], ignore_index=True) if len(earlier) else kpis)
    log.info("kpi history %s: %d nights, %d rows", path, history["run_date"].nunique(), len(history))
    return history


def load_history(path: Path, *, skip: set[str] = frozenset()) -> pd.DataFrame:
    """Every night's KPIs in the history at `path` as one table, `run_date` from the partition; `skip`: nights left out.

    Rows of the older single-file history (`kpi_history.parquet` beside `path`) count for the nights
    that have no partition yet, so an upgrade keeps its trends.
    """
    root = Path(path)
    frames, nights = [], set()
    for part in sorted(root.glob(f"run_date=*/{PARTITION_FILE}")):
        night = part.parent.name.split("=", 1)[1]
        nights.add(night)
        if night not in skip:
            frames.append(pd.read_parquet(part).assign(run_date=night))
    legacy = root.parent / LEGACY_FILE
    if legacy.is_file():
        old = pd.read_parquet(legacy)
        frames.append(old[~old["run_date"].astype(str).isin(nights | set(skip))])
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(V.KPI_COLUMNS))
    return _sorted(pd.concat(frames, ignore_index=True))


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    return table[list(V.KPI_COLUMNS)].sort_values(list(_SORT), kind="stable").reset_index(drop=True)


def publish_kpis(kpis: pd.DataFrame, run_dir: Path, history_dir: Path | None = None,
                 pending: PendingWrites | None = None) -> tuple[dict[str, str], pd.DataFrame]:
    """Write `kpis.parquet`/`kpis.csv` into the run folder and update the history; returns (paths, history)."""
    paths = {p.name: str(p) for p in write_table(kpis, run_dir, "kpis")}
    hpath = history_path(run_dir, history_dir)
    history = append_kpi_history(kpis, hpath, pending)
    paths[HISTORY_DIR] = str(hpath)
    return paths, history
