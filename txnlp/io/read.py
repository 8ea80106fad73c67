"""Read feedback exports (CSV, JSONL, parquet, Excel) into one frame of raw rows.

Every physical row ends up either in the frame or in the quarantine list with a reason, so the
manifest counts can add up. A file that can't be read at all becomes one quarantine entry.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from txnlp import vocab as V
from txnlp.errors import InputDataError

log = logging.getLogger(__name__)

READERS_BY_SUFFIX = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                     ".xlsx": "excel", ".xlsm": "excel"}
CSV_DELIMITERS = ",;\t|"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass
class LoadResult:
    frame: pd.DataFrame
    quarantine: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)


def stable_id(source: str, row: dict) -> str:
    """Id from source + row content: the same row gets the same id in every run, whatever its position."""
    payload = json.dumps({k: row[k] for k in sorted(row)}, ensure_ascii=False, default=str)
    return hashlib.sha1(f"{source}\x1f{payload}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


def expand_inputs(paths: list[str | Path]) -> list[Path]:
    """Files named directly, plus every supported file inside named folders (sorted, so order is stable)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in READERS_BY_SUFFIX))
        elif p.exists():
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


def _csv_records(path: Path, sniff_bytes: int) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    text = decode_bytes(path.read_bytes())
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


def _jsonl_records(path: Path) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    records, bad = [], []
    text = decode_bytes(path.read_bytes())
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


def _parquet_records(path: Path) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    frame = pd.read_parquet(path)
    return [(i + 1, row) for i, row in enumerate(frame.to_dict("records"))], []


def _excel_records(path: Path) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """First sheet, first row as header; a row wider than the header is malformed, an empty row is skipped."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
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


def read_file(path: Path, *, sniff_bytes: int = 65536) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    kind = READERS_BY_SUFFIX.get(path.suffix.lower())
    if kind == "csv":
        return _csv_records(path, sniff_bytes)
    if kind == "jsonl":
        return _jsonl_records(path)
    if kind == "parquet":
        return _parquet_records(path)
    if kind == "excel":
        return _excel_records(path)
    raise InputDataError(f"{path.name}: unsupported file type '{path.suffix}' (use .csv, .jsonl, .parquet or .xlsx)")


def _as_text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else str(value)


def load_inputs(paths: list[str | Path], *, default_audience: str = V.UNKNOWN, sniff_bytes: int = 65536) -> LoadResult:
    """Read every input file into one frame of raw rows plus quarantine entries.

    Raises InputDataError when a readable file has no `text` column: that is a contract
    violation of the whole file, not of a row.
    """
    rows: list[dict] = []
    quarantine: list[dict] = []
    files: list[dict] = []
    for path in expand_inputs(paths):
        try:
            records, bad = read_file(path, sniff_bytes=sniff_bytes)
        except InputDataError:
            raise
        except Exception as exc:  # unreadable file: one quarantine entry, the run goes on
            log.warning("unreadable input file %s: %s", path.name, type(exc).__name__)
            quarantine.append({V.ID: stable_id(path.name, {"file": str(path)}), V.SOURCE: path.stem,
                               V.INPUT_FILE: path.name, V.INPUT_ROW: 0,
                               V.REASON: f"unreadable file ({type(exc).__name__})"})
            files.append({"path": str(path), "rows": 0, "quarantined": 1, "error": type(exc).__name__})
            continue
        if records:
            columns = {c for _, r in records for c in r}
            if V.TEXT not in columns:
                raise InputDataError(
                    f"{path.name}: column 'text' missing (found: {', '.join(sorted(map(str, columns)))})"
                )
        quarantined_before = len(quarantine)
        for line, reason in bad:
            quarantine.append({V.ID: stable_id(path.stem, {"file": path.name, "line": line}), V.SOURCE: path.stem,
                               V.INPUT_FILE: path.name, V.INPUT_ROW: line, V.REASON: reason})
        for line, record in records:
            undecodable = [str(k) for k, v in record.items() if isinstance(v, str) and _SURROGATE.search(v)]
            if undecodable:
                quarantine.append({V.ID: stable_id(path.stem, {"file": path.name, "line": line}), V.SOURCE: path.stem,
                                   V.INPUT_FILE: path.name, V.INPUT_ROW: line,
                                   V.REASON: f"undecodable bytes in column(s) {', '.join(undecodable)}"})
                continue
            row = {str(k): v for k, v in record.items()}
            source = _as_text(row.get(V.SOURCE)) or path.stem
            row[V.SOURCE] = source
            row[V.ID] = _as_text(row.get(V.ID)) or stable_id(source, record)
            row[V.AUDIENCE] = (_as_text(row.get(V.AUDIENCE)) or default_audience).strip().lower()
            row[V.INPUT_FILE] = path.name
            row[V.INPUT_ROW] = line
            rows.append(row)
        files.append({"path": str(path), "rows": len(records) + len(bad),
                      "quarantined": len(quarantine) - quarantined_before})
        log.info("read %s: %d rows, %d malformed", path.name, len(records), len(bad))
    frame = pd.DataFrame(rows)
    for col in V.KNOWN_INPUT_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame[V.TEXT] = frame[V.TEXT].map(_as_text)
    frame[V.SCORE] = pd.to_numeric(frame[V.SCORE], errors="coerce")
    for col in (V.CHANNEL, V.LANG, V.CREATED_AT):
        frame[col] = frame[col].map(_as_text)
    return LoadResult(frame=frame.reset_index(drop=True), quarantine=quarantine, files=files)
