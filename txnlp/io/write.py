"""Atomic writers: write to a temporary name in the same folder, then rename.

A run killed mid-write leaves the previous file (or none), never half a file. Every file and
directory txnlp publishes goes through `atomic_write` or `atomic_write_dir`.

CSV files are for spreadsheets, so a text cell a spreadsheet would run as a formula is written with
a leading `'` (OWASP's advice against CSV injection); parquet keeps the text as is, and
`read_table_csv` undoes the quoting for the pipeline's own read-back.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd

# mkstemp/mkdtemp create 0600/0700 entries; published outputs are meant for analysts, so apply the usual umask.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK
DIR_MODE = 0o777 & ~_UMASK


def _write_beside(path: Path, write: Callable[[Path], object], suffix: str) -> Path:
    """Call `write(tmp)` on a new temporary file beside `path` (the same file system, so a rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    tmp = _write_beside(path, write, ".tmp")
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_dir(directory: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary folder beside `directory`, then put it in place of `directory`."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        write(tmp)
        os.chmod(tmp, DIR_MODE)
        for f in tmp.rglob("*"):
            os.chmod(f, DIR_MODE if f.is_dir() else FILE_MODE)
        replace_dir(tmp, directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


class PendingWrites:
    """Files written under temporary names beside their targets, put in place together by `commit`.

    What outlives a run (theme state, theme history, KPI history) must advance only with a published
    run: a run killed or failing before that leaves them as they were, so it never counts as a night.
    Each file's rename is atomic; `commit` does them one after the other, after every output is written.
    """

    def __init__(self) -> None:
        self._moves: list[tuple[Path, Path]] = []

    def write(self, path: Path, write: Callable[[Path], object]) -> Path:
        """Call `write(tmp)` on a temporary file beside `path`; `path` itself changes only at `commit`."""
        path = Path(path)
        tmp = _write_beside(path, write, ".pending")
        self._moves = [(t, p) for t, p in self._moves if p != path] + [(tmp, path)]
        return path

    def commit(self) -> None:
        for tmp, path in self._moves:
            os.replace(tmp, path)
        for folder in {path.parent for _, path in self._moves}:
            fsync_dir(folder)
        self._moves = []

    def discard(self) -> None:
        for tmp, _ in self._moves:
            tmp.unlink(missing_ok=True)
        self._moves = []


def write_to(path: Path, write: Callable[[Path], object], pending: PendingWrites | None = None) -> Path:
    """`atomic_write` now, or at `pending.commit()` when `pending` is given."""
    return pending.write(path, write) if pending is not None else atomic_write(path, write)


def replace_dir(src: Path, dst: Path) -> Path:
    """Rename the finished folder `src` to `dst`, replacing an earlier `dst` (a rename cannot replace a full folder)."""
    dst = Path(dst)
    if dst.exists():
        shutil.rmtree(dst)
    os.replace(src, dst)
    fsync_dir(dst.parent)
    return dst


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable; a folder that cannot be opened is left to the OS."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path, obj) -> Path:
    return write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str))


# A cell starting with one of these runs as a formula (or as DDE) in Excel, LibreOffice and Sheets.
# Leading quotes are included so that quoting can be undone without loss: "'=x" is written "''=x".
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
# A plain number ("-0.5", "+31", "1e-3") is shown as a number, never run: it is left alone.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def spreadsheet_safe_cell(value):
    """`value` with a leading `'` when it is text a spreadsheet would run as a formula; anything else as is."""
    if isinstance(value, str) and _FORMULA.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are spreadsheet-safe; numeric columns are not touched."""
    text = [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
            or isinstance(frame[c].dtype, pd.CategoricalDtype)]
    out = frame.copy(deep=False)
    for col in text:
        values = frame[col].astype(object) if isinstance(frame[col].dtype, pd.CategoricalDtype) else frame[col]
        out[col] = values.map(spreadsheet_safe_cell)
    out.columns = [spreadsheet_safe_cell(c) for c in frame.columns]
    return out


def _unquote(value):
    return value[1:] if isinstance(value, str) and _QUOTED.match(value) else value


def read_table_csv(path: Path) -> pd.DataFrame:
    """A CSV written by `write_table`, every cell as text, with the spreadsheet quoting undone."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [_unquote(c) for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].map(_unquote)
    return frame


def write_table(frame: pd.DataFrame, directory: Path, name: str, formats=("parquet", "csv")) -> list[Path]:
    """`name.parquet` and `name.csv` in `directory`. Object columns are written as strings in CSV, spreadsheet-safe."""
    paths = []
    if "parquet" in formats:
        paths.append(atomic_write(Path(directory) / f"{name}.parquet", lambda p: frame.to_parquet(p, index=False)))
    if "csv" in formats:
        safe = spreadsheet_safe(frame)
        paths.append(atomic_write(Path(directory) / f"{name}.csv", lambda p: safe.to_csv(p, index=False)))
    return paths
