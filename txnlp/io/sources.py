"""Sources, configured or one-off: read what is new as raw rows plus quarantine entries, then one frame.

A one-off `txnlp run --input` is a `files` source too (`files_source`, `one_off=True`), so both
paths map records, give ids and coerce columns with the same code. Every row read ends up in `rows`
or in `quarantine` (with a reason, never text), so the manifest can prove that nothing was lost.
Rows already processed by earlier runs are dropped as each chunk is read (`Seen.processed`, a
lookup per chunk) and counted in `SourceBatch.already_processed`. A source that can't be read at
all raises SourceError.
"""
from __future__ import annotations

import glob
import hashlib
import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib import parse as urlparse

import pandas as pd

from txnlp import vocab as V
from txnlp.config import SourceSettings
from txnlp.errors import InputDataError, SourceError
from txnlp.io.read import _SURROGATE, READERS_BY_SUFFIX, _as_text, read_file

log = logging.getLogger(__name__)

# The fields that make two rows "the same comment" when a source has no id of its own. Passthrough
# columns (an export timestamp, a file-specific column) are left out, so an overlapping export is one row.
CONTENT_ID_FIELDS = (V.TEXT, V.CREATED_AT, V.CHANNEL, V.AUDIENCE, V.SCORE, V.LANG)
# The row's own `source` value joins them in the id (not the configured source's name): the same row
# read by `--input` and by a configured `files` source gets the same id.
ROW_ID_FIELDS = (*CONTENT_ID_FIELDS, V.SOURCE)


@dataclass
class SourceBatch:
    name: str
    kind: str
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256) of files read
    watermark: object = None  # highest watermark value read (source's own type)
    already_processed: int = 0  # rows and quarantine entries read whose id an earlier run holds (dropped)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.quarantine) + self.already_processed


def _none_processed(ids: list[str]) -> set[str]:
    return set()


@dataclass(frozen=True)
class Seen:
    """What earlier published runs of one source processed, from the state store; a one-off run has none.

    `processed(ids)` answers which of the given row and quarantine ids an earlier run wrote or
    quarantined. A lookup per chunk read, not a set of every id: the state store grows with every
    night, and a run should hold only its own night's ids (e.g. `StateStore.processed_among`).
    """

    watermark: object = None
    files: frozenset[str] = frozenset()  # sha256 of files read
    processed: Callable[[list[str]], set[str]] = _none_processed


def _digest(payload: dict) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def row_id(row: dict) -> str:
    """Id of a row without an id of its own: `h` + hash of its comment fields as given in the input.

    Position, file name, passthrough columns and the configured source name are left out, so the
    same row gets the same id in every run, from every file it is in, via `--input` or a source.
    """
    return "h" + _digest({k: _as_text(row.get(k)) for k in ROW_ID_FIELDS})


def files_source(name: str, path: str | Path, audience: str) -> SourceSettings:
    """A `files` source for one path: a folder's supported files, or the one file named."""
    p = Path(path)
    folder, pattern = (p, "*") if p.is_dir() else (p.parent, glob.escape(p.name))
    return SourceSettings(name=name, kind="files", path=folder, glob=pattern, audience=audience)


FRAME_INPUT = "dataframe"


def frame_batch(frame: pd.DataFrame, audience: str, name: str = FRAME_INPUT) -> SourceBatch:
    """A DataFrame handed to `txnlp.run`, read as a one-off file named `name` would be.

    Its records go through the same mapping as a file's rows (ids, audience, `source` = its own column
    or `name`, undecodable text quarantined), so a frame and a file of the same rows stage the same.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    spec = SourceSettings(name=name, kind="files", path=Path(name), audience=audience)
    batch = SourceBatch(spec.name, "frame")
    key = hashlib.sha256(frame.to_json(orient="split", date_format="iso", default_handler=str).encode(
        "utf-8", "surrogatepass")).hexdigest()
    # Missing values (NaN, pd.NA, NaT) as None, as an empty cell is: "<NA>" must not become a value.
    plain = frame.astype(object).where(frame.notna(), None)
    records = [(i + 1, row) for i, row in enumerate(plain.to_dict("records"))]
    _add_records(batch, spec, name, records, [], key, one_off=True)
    batch.inputs.append({"path": name, "rows": batch.rows_read})
    log.info("input %s: %d rows read from a DataFrame", name, batch.rows_read)
    return batch


def read_source(spec: SourceSettings, *, seen: Seen | None = None, sniff_bytes: int = 65536,
                chunk_rows: int = 5000, one_off: bool = False) -> SourceBatch:
    """Rows of `spec` newer than `seen.watermark` (sql) or in files not in `seen.files` (files).

    Rows and quarantine entries whose id `seen.processed` knows are dropped as each chunk (a SQL chunk
    of `chunk_rows` rows, a file) is read, and only counted (`already_processed`), so memory follows
    the night, not the table or the state store.

    `one_off` (a `txnlp run --input`): a row keeps its own `source` value (the file name's stem when it
    has none) instead of the source's name, and a file without a `text` column raises InputDataError
    instead of being quarantined: a one-off run has no later night in which to fix the mapping.
    """
    seen = seen or Seen()
    if spec.kind == "files":
        return _read_files(spec, seen, sniff_bytes, one_off)
    return _read_sql(spec, seen, chunk_rows)


def rows_frame(rows: list[dict]) -> pd.DataFrame:
    """The one frame of raw rows every staging path screens: known columns present and coerced.

    Object dtype first, so a text 0 stays "0" and not 0.0; passthrough values become text, as values
    of several types would not fit one parquet column (and text is what redaction reads).
    `created_at` becomes a UTC timestamp (`parse_created_at`); a value that is not a date is kept, as
    text, in the passthrough column `created_at_raw` (redacted like the others), never dropped.
    """
    frame = pd.DataFrame(rows, dtype=object)
    for col in V.OWN_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame[V.TEXT] = frame[V.TEXT].map(_as_text)
    frame[V.SCORE], frame[V.SCORE_UNPARSED] = parse_scores(frame[V.SCORE])
    for col in (V.CHANNEL, V.LANG):
        frame[col] = frame[col].map(_as_text)
    frame[V.CREATED_AT], frame[V.CREATED_AT_RAW] = parse_created_at(frame[V.CREATED_AT])
    for col in frame.columns:
        if col not in V.KNOWN_INPUT_COLUMNS and frame[col].dtype == object and col != V.INPUT_ROW:
            frame[col] = frame[col].map(_as_text)
    return frame


def parse_created_at(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(UTC timestamps, the text of values given that are no ISO 8601 date or timestamp).

    ISO 8601 only (`2026-11-22`, `2026-11-01T09:33:28Z`, `2026-11-01 09:33:28+01:00`): a day-first or
    month-first date such as 03/04/2026 can't be read without guessing, so it is kept as given instead.
    A timestamp without an offset is taken as UTC.
    """
    text = values.map(lambda v: (_as_text(v) or "").strip() or None).astype(object)
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce").astype("datetime64[ns, UTC]")
    raw = pd.Series([t if isinstance(t, str) and pd.isna(p) else None for t, p in zip(text, parsed)], index=values.index,
                    dtype=object)
    return parsed, raw


_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def parse_scores(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers, unparsed): scores as floats, "9,5" read as 9.5; `unparsed` marks given text that is no number.

    Exports from Dutch, German and Russian spreadsheets write a decimal comma. Text such as "ten" stays
    blank, but is marked so that staging counts it and the manifest shows it, rather than losing it quietly.
    """
    given = values.map(_numeric_or_none).map(lambda v: v.strip() if isinstance(v, str) else v)
    given = given.map(lambda v: v.replace(",", ".") if isinstance(v, str) and _DECIMAL_COMMA.fullmatch(v) else v)
    numbers = pd.to_numeric(given, errors="coerce")
    present = given.map(lambda v: not (v is None or v == "" or (isinstance(v, float) and math.isnan(v))))
    return numbers, (present & numbers.isna()).astype(bool)


def _numeric_or_none(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else _as_text(value)


# --- mapping shared by every kind -------------------------------------------------------------

def _quarantine(source: str, input_name: str, line: int, reason: str, key: str) -> dict:
    """`key` identifies the input's content (file sha256, database relation), so the id is stable too."""
    return {V.ID: "q" + _digest({"input": key, "line": line}), V.SOURCE: source, V.INPUT_FILE: input_name,
            V.INPUT_ROW: line, V.REASON: reason}


def _add_records(batch: SourceBatch, spec: SourceSettings, input_name: str, records: list[tuple[int, dict]],
                 bad: list[tuple[int, str]], key: str, one_off: bool = False,
                 processed: Callable[[list[str]], set[str]] = _none_processed) -> None:
    """Map column names, give ids, and quarantine what can't be a row. `key` identifies the input's content.

    Rows and quarantine entries of this chunk whose id `processed` knows are counted, not kept.
    """
    default_source = Path(input_name).stem if one_off else spec.name
    quarantine = [_quarantine(default_source, input_name, line, reason, key) for line, reason in bad]
    rows: list[dict] = []
    mapped = [(line, {spec.columns.get(str(k), str(k)): v for k, v in record.items()}) for line, record in records]
    if mapped and not any(V.TEXT in row for _, row in mapped):
        columns = list(dict.fromkeys(k for _, row in mapped for k in row))
        if one_off:
            raise InputDataError(f"{input_name}: column 'text' missing{header_hint(columns)}")
        reason = f"column 'text' missing after mapping{header_hint(columns)}"
        quarantine += [_quarantine(default_source, input_name, line, reason, key) for line, _ in mapped]
        log.warning("source %s: %s has no text column; %d rows quarantined", spec.name, input_name, len(mapped))
        mapped = []
    for line, row in mapped:
        undecodable = [k for k, v in row.items() if isinstance(v, str) and _SURROGATE.search(v)]
        if undecodable or any(_SURROGATE.search(k) for k in row):
            quarantine.append(_quarantine(default_source, input_name, line, "undecodable bytes", key))
            continue
        row = {k: _plain(v) for k, v in row.items()}
        own_id = _as_text(row.get(V.ID))
        own_id = own_id.strip() if own_id else None
        source = (_as_text(row.get(V.SOURCE)) or default_source) if one_off else spec.name
        row[V.ID] = own_id or row_id(row)  # before the defaults below: the id depends on the row alone
        row[V.SOURCE] = source
        row[V.AUDIENCE] = (_as_text(row.get(V.AUDIENCE)) or spec.audience).strip().lower() or spec.audience
        row[V.INPUT_FILE] = input_name
        row[V.INPUT_ROW] = line
        rows.append(row)
    known = processed([r[V.ID] for r in rows] + [q[V.ID] for q in quarantine]) if rows or quarantine else set()
    fresh_rows = [r for r in rows if r[V.ID] not in known]
    fresh_quarantine = [q for q in quarantine if q[V.ID] not in known]
    batch.rows += fresh_rows
    batch.quarantine += fresh_quarantine
    batch.already_processed += len(rows) - len(fresh_rows) + len(quarantine) - len(fresh_quarantine)


# What a column name looks like; a header cell that doesn't (digits and '@', spaces, long) is likely data.
_COLUMN_NAME = re.compile(r"[^\W\d][\w .()/-]{0,39}")


def header_hint(columns: list[str]) -> str:
    """" (N columns found ...)" for an error message: counts and 1-based positions, never the names.

    Column names are not listed: a file without a header row puts its first data row there, and
    that row's comment text, phone number or e-mail address would reach stderr and Prefect's database.
    """
    odd = [i + 1 for i, c in enumerate(columns) if not _COLUMN_NAME.fullmatch(str(c).strip())]
    if not odd:
        return f" ({len(columns)} columns found)"
    shown = ", ".join(map(str, odd[:10])) + (" ..." if len(odd) > 10 else "")
    return (f" ({len(columns)} columns found; the header looks like data, not column names, at column(s) {shown}:"
            " does the file have a header row?)")


def _plain(value):
    """Datetimes as ISO text, bytes as a marker: frames and parquet get plain values (NaT is missing, not text)."""
    if value is pd.NaT:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    return value


# --- files ------------------------------------------------------------------------------------

def _read_files(spec: SourceSettings, seen: Seen, sniff_bytes: int, one_off: bool) -> SourceBatch:
    """Each file is read from disk once: its bytes are hashed (skipped when already processed) and parsed."""
    folder = Path(spec.path)
    if not folder.is_dir():
        raise SourceError(spec.name, f"folder not found: {folder}", recoverable=False)
    batch = SourceBatch(spec.name, spec.kind)
    paths = sorted(p for p in folder.glob(spec.glob) if p.is_file() and p.suffix.lower() in READERS_BY_SUFFIX)
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            # One file that can't be opened (permissions, a broken share) is one quarantine entry; the other
            # files are published. It is not marked as seen, so a later run reads it once it can be opened.
            log.warning("source %s: can't open %s (%s)", spec.name, path.name, type(exc).__name__)
            source = path.stem if one_off else spec.name
            batch.quarantine.append(_quarantine(source, path.name, 0, f"unreadable file ({type(exc).__name__})",
                                                f"unopened:{path.name}"))
            batch.inputs.append({"path": str(path), "rows": 1, "error": type(exc).__name__})
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen.files:
            batch.inputs.append({"path": str(path), "sha256": sha, "rows": 0, "skipped": "already processed"})
            continue
        try:
            parsed = read_file(path, sniff_bytes=sniff_bytes, data=data)
        except Exception as exc:  # one unreadable file is one quarantine entry, not a failed source
            log.warning("source %s: unreadable file %s (%s)", spec.name, path.name, type(exc).__name__)
            source = path.stem if one_off else spec.name
            batch.quarantine.append(_quarantine(source, path.name, 0, f"unreadable file ({type(exc).__name__})", sha))
            batch.inputs.append({"path": str(path), "sha256": sha, "rows": 1, "error": type(exc).__name__})
            batch.files.append((path.name, sha))
            continue
        del data
        before = batch.rows_read
        _add_records(batch, spec, path.name, parsed.records, parsed.bad, sha, one_off, seen.processed)
        entry = {"path": str(path), "sha256": sha, "rows": batch.rows_read - before}
        batch.inputs.append(entry if parsed.lines is None else {**entry, "lines": parsed.lines})
        batch.files.append((path.name, sha))
    log.info("source %s: %d file(s), %d rows read", spec.name, len(paths), batch.rows_read)
    return batch


# --- sql --------------------------------------------------------------------------------------

def _read_sql(spec: SourceSettings, seen: Seen, chunk_rows: int) -> SourceBatch:
    """Stream the rows newer than the watermark in chunks of `chunk_rows` (a server-side cursor where the
    driver has one), dropping ids already processed per chunk: a table re-read in full (no watermark, or
    rows at the watermark) costs one chunk of memory, not the table."""
    import sqlalchemy as sa

    try:
        url = sa.engine.make_url(spec.url.get_secret_value())
    except Exception:
        raise SourceError(spec.name, "invalid SQLAlchemy URL", recoverable=False) from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).is_file():  # sqlite would silently create an empty database
            raise SourceError(spec.name, f"database file not found: {url.database}", recoverable=False)
    shown = spec.public_url()
    batch = SourceBatch(spec.name, spec.kind)
    input_name = f"{spec.name}:{spec.table or 'query'}"
    key = hashlib.sha256(f"{shown}\x1f{spec.table or spec.query}".encode()).hexdigest()
    wm_key, watermark = spec.watermark, seen.watermark
    high, mixed = None, False  # highest watermark value read; values that don't compare: not advanced
    engine = None
    try:
        engine = sa.create_engine(url)  # inside: a URL a dialect refuses is a SourceError, not a raw traceback
        quote = engine.dialect.identifier_preparer.quote
        if spec.table:
            relation = ".".join(quote(part) for part in spec.table.split("."))
        else:
            relation = f"({spec.query.rstrip().rstrip(';')}) AS txnlp_src"
        statement = f"SELECT * FROM {relation}"
        params = {}
        if wm_key:
            column = quote(wm_key)
            if watermark is not None:
                # `>=`, not `>`: a row committed later with the same watermark value is read again and
                # dropped by id instead of lost; NULL watermarks are always read (and dropped by id).
                statement += f" WHERE {column} >= :wm OR {column} IS NULL"
                params["wm"] = watermark
            statement += f" ORDER BY {column}"
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(
                sa.text(statement), params)
            line = 0
            for part in result.mappings().partitions(chunk_rows):
                records = [(line + n, dict(r)) for n, r in enumerate(part, start=1)]
                line += len(records)
                values = [r[wm_key] for _, r in records if r.get(wm_key) is not None] if wm_key else []
                if values and not mixed:
                    try:
                        high = max(values + ([high] if high is not None else []))
                    except TypeError:
                        high, mixed = None, True
                _add_records(batch, spec, input_name, records, [], key, processed=seen.processed)
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or type(exc).__name__)
        if url.password:  # a driver may echo its connection string, decoded or as written in the URL
            password = str(url.password)
            for secret in {password, urlparse.quote_plus(password), urlparse.quote(password, safe="")}:
                detail = detail.replace(secret, "***")
        detail = (detail.strip().splitlines() or [""])[0][:200]  # cut after scrubbing: no password half left
        raise SourceError(spec.name, f"database error on {shown}: {type(exc).__name__}: {detail}",
                          recoverable=isinstance(exc, sa.exc.OperationalError)) from None
    finally:
        if engine is not None:
            engine.dispose()
    if mixed:
        log.warning("source %s: watermark column %s has mixed types; not advanced", spec.name, wm_key)
    batch.watermark = high
    batch.inputs.append({"url": shown, "relation": spec.table or "query", "watermark_from": _plain(watermark),
                         "rows": batch.rows_read})
    log.info("source %s: %d rows read", spec.name, batch.rows_read)
    return batch
