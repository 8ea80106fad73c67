"""Atomic writers: write to a temporary name in the same folder, then rename.

A run killed mid-write leaves the previous file (or none), never half a file.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

# mkstemp creates 0600 files; published outputs are meant for analysts, so apply the usual umask.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK

import pandas as pd


def _atomic(path: Path, write) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: Path, text: str) -> Path:
    return _atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: Path, obj) -> Path:
    return write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def write_table(frame: pd.DataFrame, directory: Path, name: str, formats=("parquet", "csv")) -> list[Path]:
    """`name.parquet` and `name.csv` in `directory`. Object columns are written as strings in CSV."""
    paths = []
    if "parquet" in formats:
        paths.append(_atomic(Path(directory) / f"{name}.parquet", lambda p: frame.to_parquet(p, index=False)))
    if "csv" in formats:
        paths.append(_atomic(Path(directory) / f"{name}.csv", lambda p: frame.to_csv(p, index=False)))
    return paths
