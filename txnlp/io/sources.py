"""Configured sources: read what is new since the last published run, as raw rows plus quarantine entries.

Every row read ends up in `rows` or in `quarantine` (with a reason, never text), so the manifest
can prove that nothing was lost. Dropping rows already processed by earlier runs happens later,
in `txnlp.ingest`, where it is counted. A source that can't be read at all raises SourceError.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from txnlp import vocab as V
from txnlp.config import SourceSettings
from txnlp.errors import SourceError
from txnlp.io.read import _SURROGATE, READERS_BY_SUFFIX, _as_text, read_file, stable_id

log = logging.getLogger(__name__)

# The fields that make two rows "the same comment" when a source has no id of its own. Passthrough
# columns (an export timestamp, a file-specific column) are left out, so an overlapping export is one row.
CONTENT_ID_FIELDS = (V.TEXT, V.CREATED_AT, V.CHANNEL, V.AUDIENCE, V.SCORE, V.LANG)


@dataclass
class SourceBatch:
    name: str
    kind: str
    rows: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256) of files read
    watermark: object = None  # highest watermark value read (source's own type)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.quarantine)


def content_id(source: str, row: dict) -> str:
    """Id of a row without an id of its own: hash of the source and the comment's own fields."""
    return "h" + stable_id(source, {k: _as_text(row.get(k)) for k in CONTENT_ID_FIELDS})


def read_source(spec: SourceSettings, *, watermark=None, seen_files: frozenset[str] = frozenset(),
                sniff_bytes: int = 65536) -> SourceBatch:
    """Rows of `spec` newer than `watermark` (sql) or in files not in `seen_files` (files)."""
    if spec.kind == "files":
        return _read_files(spec, seen_files, sniff_bytes)
    return _read_sql(spec, watermark)


# --- mapping shared by every kind -------------------------------------------------------------

def _quarantine(spec: SourceSettings, input_name: str, line: int, reason: str, key: dict) -> dict:
    return {V.ID: "q" + stable_id(spec.name, key), V.SOURCE: spec.name, V.INPUT_FILE: input_name,
            V.INPUT_ROW: line, V.REASON: reason}


def _add_records(batch: SourceBatch, spec: SourceSettings, input_name: str,
                 records: list[tuple[int, dict]], bad: list[tuple[int, str]], key: str) -> None:
    """Map column names, give ids, and quarantine what can't be a row. `key` identifies the input's content."""
    for line, reason in bad:
        batch.quarantine.append(_quarantine(spec, input_name, line, reason, {"input": key, "line": line}))
    mapped = [(line, {spec.columns.get(str(k), str(k)): v for k, v in record.items()}) for line, record in records]
    if mapped and not any(V.TEXT in row for _, row in mapped):
        # Column names are not listed: a headerless file would put comment text into them.
        reason = f"column 'text' missing after mapping ({len(mapped[0][1])} columns found)"
        for line, _ in mapped:
            batch.quarantine.append(_quarantine(spec, input_name, line, reason, {"input": key, "line": line}))
        log.warning("source %s: %s has no text column; %d rows quarantined", spec.name, input_name, len(mapped))
        return
    for line, row in mapped:
        undecodable = [k for k, v in row.items() if isinstance(v, str) and _SURROGATE.search(v)]
        if undecodable or any(_SURROGATE.search(k) for k in row):
            batch.quarantine.append(_quarantine(spec, input_name, line, "undecodable bytes",
                                                {"input": key, "line": line}))
            continue
        row = {k: _plain(v) for k, v in row.items()}
        row[V.SOURCE] = spec.name
        row[V.AUDIENCE] = (_as_text(row.get(V.AUDIENCE)) or spec.audience).strip().lower() or spec.audience
        own_id = _as_text(row.get(V.ID))
        row[V.ID] = own_id.strip() if own_id and own_id.strip() else content_id(spec.name, row)
        row[V.INPUT_FILE] = input_name
        row[V.INPUT_ROW] = line
        batch.rows.append(row)


def _plain(value):
    """Datetimes as ISO text, bytes as a marker: frames and parquet get plain values."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    return value


# --- files ------------------------------------------------------------------------------------

def _read_files(spec: SourceSettings, seen_files: frozenset[str], sniff_bytes: int) -> SourceBatch:
    folder = Path(spec.path)
    if not folder.is_dir():
        raise SourceError(spec.name, f"folder not found: {folder}")
    batch = SourceBatch(spec.name, spec.kind)
    paths = sorted(p for p in folder.glob(spec.glob) if p.is_file() and p.suffix.lower() in READERS_BY_SUFFIX)
    for path in paths:
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise SourceError(spec.name, f"can't read {path.name} ({type(exc).__name__})") from None
        if sha in seen_files:
            batch.inputs.append({"path": str(path), "sha256": sha, "rows": 0, "skipped": "already processed"})
            continue
        try:
            records, bad = read_file(path, sniff_bytes=sniff_bytes)
        except Exception as exc:  # one unreadable file is one quarantine entry, not a failed source
            log.warning("source %s: unreadable file %s (%s)", spec.name, path.name, type(exc).__name__)
            batch.quarantine.append(_quarantine(spec, path.name, 0, f"unreadable file ({type(exc).__name__})",
                                                {"input": sha, "line": 0}))
            batch.inputs.append({"path": str(path), "sha256": sha, "rows": 1, "error": type(exc).__name__})
            batch.files.append((path.name, sha))
            continue
        before = batch.rows_read
        _add_records(batch, spec, path.name, records, bad, sha)
        batch.inputs.append({"path": str(path), "sha256": sha, "rows": batch.rows_read - before})
        batch.files.append((path.name, sha))
    log.info("source %s: %d file(s), %d rows read", spec.name, len(paths), batch.rows_read)
    return batch


# --- sql --------------------------------------------------------------------------------------

def _read_sql(spec: SourceSettings, watermark) -> SourceBatch:
    import sqlalchemy as sa

    try:
        url = sa.engine.make_url(spec.url)
    except Exception:
        raise SourceError(spec.name, "invalid SQLAlchemy URL") from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).is_file():  # sqlite would silently create an empty database
            raise SourceError(spec.name, f"database file not found: {url.database}")
    shown = url.render_as_string(hide_password=True)
    engine = sa.create_engine(url)
    try:
        quote = engine.dialect.identifier_preparer.quote
        if spec.table:
            relation = ".".join(quote(part) for part in spec.table.split("."))
        else:
            relation = f"({spec.query.rstrip().rstrip(';')}) AS txnlp_src"
        statement = f"SELECT * FROM {relation}"
        params = {}
        wm_key = spec.watermark
        if wm_key:
            column = quote(wm_key)
            if watermark is not None:
                # `>=`, not `>`: a row committed later with the same watermark value is read again and
                # dropped by id instead of lost; NULL watermarks are always read (and dropped by id).
                statement += f" WHERE {column} >= :wm OR {column} IS NULL"
                params["wm"] = watermark
            statement += f" ORDER BY {column}"
        with engine.connect() as conn:
            result = conn.execute(sa.text(statement), params)
            records = [(n, dict(r)) for n, r in enumerate(result.mappings(), start=1)]
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()
        raise SourceError(spec.name, f"database error on {shown}: {type(exc).__name__}: "
                                     f"{(detail[0] if detail else '')[:200]}") from None
    finally:
        engine.dispose()
    batch = SourceBatch(spec.name, spec.kind)
    input_name = f"{spec.name}:{spec.table or 'query'}"
    key = hashlib.sha256(f"{shown}\x1f{spec.table or spec.query}".encode()).hexdigest()
    if wm_key:
        values = [r[wm_key] for _, r in records if r.get(wm_key) is not None]
        try:
            batch.watermark = max(values) if values else None
        except TypeError:
            log.warning("source %s: watermark column %s has mixed types; not advanced", spec.name, wm_key)
    _add_records(batch, spec, input_name, records, [], key)
    batch.inputs.append({"url": shown, "relation": spec.table or "query", "watermark_from": _plain(watermark),
                         "rows": batch.rows_read})
    log.info("source %s: %d rows read", spec.name, batch.rows_read)
    return batch
