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
from typing import NamedTuple

import pandas as pd
from charset_normalizer import from_bytes

from txnlp.errors import InputDataError

READERS_BY_SUFFIX = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                     ".xlsx": "excel", ".xlsm": "excel"}
CSV_DELIMITERS = ",;\t|"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class ParsedFile(NamedTuple):
    """One file's (line, record) pairs, (line, reason) for what can't be a record, and its physical data lines.

    `lines` (CSV and JSONL; None for parquet and Excel) counts the non-blank lines below the header from
    the text, not from the parser, so the manifest shows beside the records what the file held: a CSV
    record spanning lines through a quoted newline is one record and several lines, and a line a parser
    swallowed would show as a line without a record.
    """

    records: list[tuple[int, dict]]
    bad: list[tuple[int, str]]
    lines: int | None = None


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
    bomless = _utf16_without_bom(data)
    if bomless is not None:
        return bomless
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


def _utf16_without_bom(data: bytes, sample: int = 4096) -> str | None:
    """`data` decoded as UTF-16 when it looks like it (no BOM), else None.

    Delimiters, digits and line ends are ASCII, so in UTF-16 every second byte of them is NUL: one byte
    position full of NULs and the other almost free of them. A UTF-8 file with a few stray NULs has
    neither (those rows are quarantined, not the file misread).
    """
    head = data[:sample]
    if len(data) % 2 or len(head) < 4:
        return None
    even, odd = head[0::2].count(0) / (len(head) / 2), head[1::2].count(0) / (len(head) / 2)
    for codec, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if (zeros >= 0.3 and other <= 0.02) or _utf16_header(data, codec):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _utf16_header(data: bytes, codec: str, limit: int = 65536) -> bool:
    """Whether the first line, read as `codec`, is a header: NUL-free text holding a delimiter, ended by a
    UTF-16 line feed at a character boundary.

    The byte statistics above miss a file whose comments are mostly Cyrillic or CJK (few ASCII bytes, so
    few NULs), and such a file then passes as UTF-8: U+040A and U+0422 put a line feed and a quote byte
    into it and records fall apart. The header is ASCII-ish in any language's export, and in UTF-8 a
    delimiter is never followed by a NUL, so this cannot claim a UTF-8 file.
    """
    newline = b"\n\x00" if codec == "utf-16-le" else b"\x00\n"
    at = data.find(newline, 0, limit)
    while at != -1 and at % 2:
        at = data.find(newline, at + 1, limit)
    if at <= 0:
        return False
    try:
        header = data[:at].decode(codec)
    except UnicodeDecodeError:
        return False
    return "\x00" not in header and any(d in header for d in CSV_DELIMITERS)


def sniff_delimiter(head: str) -> str:
    """The candidate that splits the header line most; comment text can't mislead it as it can csv.Sniffer."""
    header = head.split("\n", 1)[0]
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_records(data: bytes, sniff_bytes: int) -> ParsedFile:
    """Records by strict quoting; a record that fails quarantines every physical line it took.

    The lenient reader takes an unclosed quote as one field running to the end of the file, so rows
    disappear into one "text" and no count can see it. Strict quoting raises instead, and `_csv_spans`
    says which lines the failed record swallowed: each is quarantined with its own line number, so
    physical data lines = lines of parsed records + quarantined lines (a record may span lines only
    through a quoted newline that is closed again).
    """
    text = decode_bytes(data)
    delimiter = sniff_delimiter(text[:sniff_bytes])
    lines = io.StringIO(text, newline="").readlines()
    records, bad, header, header_end = [], [], None, 0
    for first, last, values, error in _csv_spans(lines, delimiter):
        if error is None and header is None:
            header, header_end = [h.strip() for h in values], last
            continue
        if error is not None:
            reason = (f"unclosed quote from line {first}: the rest of the file is not parsed"
                      if last == len(lines) and "end of data" in error else f"malformed CSV: {error}")
            if header is None:
                reason += " (in the header)"
            bad.extend((n, reason) for n in range(first, last + 1) if lines[n - 1].strip())
        elif len(values) != len(header):
            bad.append((first, f"malformed CSV row: {len(values)} fields, header has {len(header)}"))
        else:
            records.append((first, dict(zip(header, values))))
    return ParsedFile(records, bad, _data_lines(lines[header_end:]))


def _data_lines(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip())


def _csv_spans(lines: list[str], delimiter: str):
    """(first line, last line, values, error or None) per CSV record, line numbers from 1; blank lines skipped."""
    # A quoted field may be as long as the file. Over csv's default limit (131,072 characters) the reader
    # gives up inside the field, and the lines after that point would be parsed as records of their own.
    csv.field_size_limit(max(csv.field_size_limit(), sum(map(len, lines)) + 1))
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)
    done = 0
    while True:
        try:
            values, error = next(reader), None
        except StopIteration:
            return
        except csv.Error as exc:
            values, error = None, str(exc)
        first, done = done + 1, reader.line_num
        while first <= done and not lines[first - 1].strip():
            first += 1  # blank lines before a record are not part of it
        if error is None and not values:
            continue
        yield first, done, values, error


def _jsonl_records(data: bytes) -> ParsedFile:
    records, bad = [], []
    lines = decode_bytes(data).splitlines()
    for n, line in enumerate(lines, start=1):
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
    return ParsedFile(records, bad, _data_lines(lines))


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


def read_file(path: Path, *, sniff_bytes: int = 65536, data: bytes | None = None) -> ParsedFile:
    """`ParsedFile`: records, (line, reason) for rows that can't be records, physical lines; raises on an unknown type.

    `data`: the file's bytes when the caller already read them (to hash them), so a file is read once.
    """
    kind = _check_suffix(path)
    data = Path(path).read_bytes() if data is None else data
    if kind == "csv":
        return _csv_records(data, sniff_bytes)
    if kind == "jsonl":
        return _jsonl_records(data)
    if kind == "parquet":
        return ParsedFile(*_parquet_records(data))
    return ParsedFile(*_excel_records(data))


def _as_text(value) -> str | None:
    """`value` as text; None for a missing value (None, NaN, and pandas' NA and NaT from a DataFrame or parquet)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    return value if isinstance(value, str) else str(value)
