"""Read one feedback export (CSV, JSONL, parquet, Excel) into (line, record) pairs.

Bytes to records only: a record that can't be parsed comes back as (line, reason), so the caller
(`txnlp.io.sources`, which maps records to rows and gives ids) can quarantine it and the counts add up.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from txnlp.errors import InputDataError

READERS_BY_SUFFIX = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                     ".xlsx": "excel", ".xlsm": "excel"}
CSV_DELIMITERS = ",;\t|"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def expand_inputs(paths: list[str | Path]) -> list[Path]:
    """Files named directly, plus every supported file inside named folders (sorted, so order is stable).

    A file named directly must be of a supported type: naming it and having it skipped would be a silent loss.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in READERS_BY_SUFFIX))
        elif p.exists():
            _check_suffix(p)
            found.append(p)
        else:
            raise InputDataError(f"input not found: {p}")
    if not found:
        raise InputDataError(f"no .csv, .jsonl or .parquet files in: {', '.join(map(str, paths))}")
    return found


LEGACY_ENCODINGS = ["cp1252", "cp1251", "koi8_r", "iso8859_15", "latin_1"]


def decode_bytes(data: bytes) -> str:
    """UTF-8/UTF-16 by BOM or validity; else the charset-normalizer guess among legacy encodings.

    A file with valid UTF-8 multi-byte sequences is UTF-8 with damage, not a legacy file: its
    undecodable bytes survive as surrogate escapes so that only their rows are quarantined.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if not any(ord(ch) > 127 for ch in data.decode("utf-8", errors="ignore")):
        best = from_bytes(data[:200_000], cp_isolation=LEGACY_ENCODINGS).best()
        if best is not None:
            try:
                return data.decode(best.encoding)
            except (UnicodeDecodeError, LookupError):
                pass
    return data.decode("utf-8", errors="surrogateescape")


def sniff_delimiter(head: str) -> str:
    """The candidate that splits the header line most; comment text can't mislead it as it can csv.Sniffer."""
    header = head.split("\n", 1)[0]
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_records(data: bytes, sniff_bytes: int) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    text = decode_bytes(data)
    delimiter = sniff_delimiter(text[:sniff_bytes])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], []
    records, bad = [], []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad.append((reader.line_num, f"malformed CSV: {exc}"))
            continue
        if not values:
            continue  # an empty line is not a row
        if len(values) != len(header):
            bad.append((reader.line_num, f"malformed CSV row: {len(values)} fields, header has {len(header)}"))
            continue
        records.append((reader.line_num, dict(zip(header, values))))
    return records, bad


def _jsonl_records(data: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    records, bad = [], []
    text = decode_bytes(data)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((n, f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(obj, dict):
            bad.append((n, f"JSON line is a {type(obj).__name__}, not an object"))
            continue
        records.append((n, obj))
    return records, bad


def _parquet_records(data: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    frame = pd.read_parquet(io.BytesIO(data))
    return [(i + 1, row) for i, row in enumerate(frame.to_dict("records"))], []


def _excel_records(data: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """First sheet, first row as header; a row wider than the header is malformed, an empty row is skipped."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return [], []
        width = max((i + 1 for i, h in enumerate(header) if h is not None), default=0)
        names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header[:width])]
        records, bad = [], []
        for n, values in enumerate(rows, start=2):
            if all(v is None for v in values):
                continue
            if any(v is not None for v in values[width:]):
                bad.append((n, f"malformed Excel row: values beyond the {width} header columns"))
                continue
            records.append((n, dict(zip(names, values[:width]))))
        return records, bad
    finally:
        workbook.close()


def _check_suffix(path: Path) -> str:
    kind = READERS_BY_SUFFIX.get(path.suffix.lower())
    if kind is None:
        raise InputDataError(f"{path.name}: unsupported file type '{path.suffix}' (use .csv, .jsonl, .parquet or .xlsx)")
    return kind


def read_file(path: Path, *, sniff_bytes: int = 65536,
              data: bytes | None = None) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """(line, record) pairs plus (line, reason) for rows that can't be records; raises on an unknown type.

    `data`: the file's bytes when the caller already read them (to hash them), so a file is read once.
    """
    kind = _check_suffix(path)
    data = Path(path).read_bytes() if data is None else data
    if kind == "csv":
        return _csv_records(data, sniff_bytes)
    if kind == "jsonl":
        return _jsonl_records(data)
    if kind == "parquet":
        return _parquet_records(data)
    return _excel_records(data)


def _as_text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else str(value)
