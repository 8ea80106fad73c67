"""Publish a run's KPI table and append it to the nightly history.

The history is keyed by `run_date`: publishing a night again (a rerun, or `txnlp report` on the same
folder) replaces that night's rows, so the history never holds the same night twice.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from txnlp import vocab as V
from txnlp.io.write import PendingWrites, write_table, write_to

log = logging.getLogger(__name__)

HISTORY_FILE = "kpi_history.parquet"


def history_path(run_dir: Path, history_dir: Path | None = None) -> Path:
    """`history_dir/kpi_history.parquet`; by default in `history/` beside the run folder."""
    base = Path(history_dir) if history_dir is not None else Path(run_dir).resolve().parent / "history"
    return base / HISTORY_FILE


def replace_rows(rows: pd.DataFrame, path: Path, key: str, columns, sort_by,
                 pending: PendingWrites | None = None) -> pd.DataFrame:
    """Replace the rows of `rows`' `key` values in the parquet table at `path`, append, sort, write atomically.

    The one history appender: a rerun replaces its own rows, so a history never counts a night or a
    run twice. Returns the whole table; with `pending` the file changes only at `pending.commit()`.
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


def append_history(kpis: pd.DataFrame, path: Path, pending: PendingWrites | None = None) -> pd.DataFrame:
    """Replace the rows of the nights in `kpis` in the history at `path` and return the whole history."""
    history = replace_rows(kpis, path, "run_date", V.KPI_COLUMNS, ("run_date", "dimension", "value", "metric"),
                           pending)
    log.info("kpi history %s: %d nights, %d rows", path, history["run_date"].nunique(), len(history))
    return history


def publish_kpis(kpis: pd.DataFrame, run_dir: Path, history_dir: Path | None = None,
                 pending: PendingWrites | None = None) -> tuple[dict[str, str], pd.DataFrame]:
    """Write `kpis.parquet`/`kpis.csv` into the run folder and update the history; returns (paths, history)."""
    paths = {p.name: str(p) for p in write_table(kpis, run_dir, "kpis")}
    hpath = history_path(run_dir, history_dir)
    history = append_history(kpis, hpath, pending)
    paths[HISTORY_FILE] = str(hpath)
    return paths, history
