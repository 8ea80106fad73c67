"""The nested columns of the published tables: one shape in frames and parquet, JSON text in CSV.

A theme's counts per audience, pillar, language and channel, its keywords per language and its
quotes are lists of records, so parquet stores them as native list/struct columns that pandas,
DuckDB or Spark read without parsing (`themes.audiences` is `list<struct<value: string, n: int64>>`).
A mapping is a list of (key, value) records rather than a parquet map or a struct with one field per
key: audiences differ between nights, and a record list keeps one schema for every night.
CSV has no nested cells, so there the same values are JSON text (`json_cells`). `decode` gives
the plain Python value back from either (and from the JSON text of runs written before).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa

_STR = pa.string()
COUNTS = pa.list_(pa.struct([("value", _STR), ("n", pa.int64())]))
QUOTE = pa.struct([("id", _STR), ("lang", _STR), ("text", _STR)])
QUOTES = pa.list_(QUOTE)
KEYWORDS = pa.list_(pa.struct([("lang", _STR), ("words", pa.list_(_STR))]))
SILO_QUOTES = pa.list_(pa.struct([("audience", _STR), ("quotes", QUOTES)]))

# Column -> its parquet type, in every table that has the column (themes, shared_pain_points).
TYPES: dict[str, pa.DataType] = {
    "audiences": COUNTS, "negative_audiences": COUNTS, "pillars": COUNTS, "languages": COUNTS, "channels": COUNTS,
    "keywords": KEYWORDS, "quotes": QUOTES, "employee_quotes": QUOTES, "customer_quotes": QUOTES,
    "silo_quotes": SILO_QUOTES,
}
# Columns that stand for a mapping: the (key, value) field names of their records.
MAPPINGS: dict[str, tuple[str, str]] = {
    "audiences": ("value", "n"), "negative_audiences": ("value", "n"), "pillars": ("value", "n"),
    "languages": ("value", "n"), "channels": ("value", "n"), "keywords": ("lang", "words"),
    "silo_quotes": ("audience", "quotes"),
}


def encode(column: str, value) -> list:
    """The records of `column` for a Python value: a mapping becomes (key, value) records, a list stays a list."""
    if column in MAPPINGS and isinstance(value, dict):
        key, field = MAPPINGS[column]
        return [{key: str(k), field: v} for k, v in value.items()]
    return list(value)


def _plain(value):
    """numpy arrays (how pandas reads parquet lists) as lists, recursively; other values as they are."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def decode(column: str, cell, default=None):
    """The Python value of a nested cell: a dict for a mapping column, a list otherwise; `default` when empty.

    Reads the records of a frame or a parquet file, and the JSON text of a CSV or of a run written
    before the columns were native (there a mapping was stored as a JSON object).
    """
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return default
    if isinstance(cell, str):
        try:
            cell = json.loads(cell)
        except ValueError:
            return default
        if isinstance(cell, dict):
            return cell
    cell = _plain(cell)
    if column in MAPPINGS and isinstance(cell, list):
        key, field = MAPPINGS[column]
        return {r[key]: r[field] for r in cell}
    return cell


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """`frame` as an arrow table whose nested columns have their `TYPES` (the rest inferred, pandas dtypes kept).

    A text column with no value tonight (`created_at_raw` on a clean night, an empty passthrough column)
    would be inferred as arrow's null type, which a later night's strings can't be read together with
    (history partitions): such a column is written as string.
    """
    typed = {c for c in frame.columns if c in TYPES and _nested_values(frame[c])}
    schema = pa.Schema.from_pandas(frame.drop(columns=sorted(typed)), preserve_index=False)
    fields = {f.name: (f.with_type(_STR) if pa.types.is_null(f.type) else f) for f in schema}
    full = pa.schema([pa.field(c, TYPES[c]) if c in typed else fields[c] for c in frame.columns],
                     metadata=schema.metadata)
    return pa.Table.from_pandas(frame, schema=full, preserve_index=False)


def _nested_values(column: pd.Series) -> bool:
    """True when every value of `column` is a list (or missing): a passthrough text column that happens to be
    called `channels` or `keywords` in the input keeps its own type."""
    return bool(column.map(lambda v: v is None or isinstance(v, (list, tuple, np.ndarray))
                           or (isinstance(v, float) and np.isnan(v))).all())


def json_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose nested cells (lists, dicts, arrays) are JSON text: what CSV can hold."""
    out = frame.copy(deep=False)
    for col in frame.columns:
        if frame[col].dtype == object and frame[col].map(lambda v: isinstance(v, (list, dict, np.ndarray))).any():
            out[col] = frame[col].map(lambda v: json.dumps(_plain(v), ensure_ascii=False)
                                      if isinstance(v, (list, dict, np.ndarray)) else v)
    return out
