"""Property tests: generated rows thrown at every loader and at normalise + redact.

Random Unicode, control characters, NUL bytes, right-to-left marks, 1 MB texts, empty strings,
numbers where text should be, wrong column names, broken CSV quoting, truncated files. The
properties: nothing raises on a row, every row read is either kept or quarantined with a reason,
and no good row is lost.
"""
from __future__ import annotations

import json
import string

import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.ingest.helpers import ingest_settings
from txnlp import vocab as V
from txnlp.config import SourceSettings
from txnlp.ingest import stage_source
from txnlp.io.read import _as_text
from txnlp.io.sources import read_source, rows_frame
from txnlp.text.normalise import normalise_text
from txnlp.text.redact import redact_text
from txnlp.text.screen import screen

MAX_CHARS = 5000
NASTY = st.sampled_from(["\x00", "\u200f", "\u202e", "\ufeff", "\r", "\n", '"', ",", ";", "\t", "\\", "\x1b",
                         "\u0301", "é", "ё", "ß", "💥", "\ud7ff"])
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.text(alphabet=string.ascii_letters + " ", max_size=8), NASTY), max_size=12).map("".join),
    st.sampled_from(["", "   ", "x" * 1_000_000, "é" * (MAX_CHARS + 1)]),
    st.integers(), st.floats(allow_nan=True), st.none(),
)
ROW = st.fixed_dictionaries({"text": TEXT}, optional={
    "id": st.one_of(st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=6), st.integers()),
    "channel": st.one_of(st.text(max_size=10), st.integers(), st.none()),
    "score": st.one_of(st.integers(-5, 15), st.text(max_size=4), st.none()),
    "extra": st.one_of(st.text(max_size=10), st.integers(), st.booleans(), st.none()),
})
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def _good(value) -> bool:
    return isinstance(value, str) and value.strip() != "" and "\x00" not in value and len(value) <= MAX_CHARS


def _write(folder, fmt, rows):
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    path = folder / f"export.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8", errors="surrogatepass")
    elif fmt == "csv":
        frame = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r} | {"text"}))
        frame.to_csv(path, index=False, encoding="utf-8", errors="surrogatepass")
    else:
        frame = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r} | {"text"})).astype(str)
        frame.to_parquet(path, index=False)
    return path


def _source(folder, **kw):
    return SourceSettings(name="gen", kind="files", path=folder, **kw)


@FAST
@given(rows=st.lists(ROW, min_size=1, max_size=8), fmt=st.sampled_from(["csv", "jsonl", "parquet"]))
def test_loaders_keep_or_quarantine_every_row(tmp_path_factory, rows, fmt):
    folder = tmp_path_factory.mktemp("gen")
    rows = [r for r in rows if not (fmt == "jsonl" and isinstance(r["text"], float) and r["text"] != r["text"])]
    _write(folder, fmt, rows)
    batch = read_source(_source(folder))
    assert all(q[V.REASON] for q in batch.quarantine)
    kept, bad = screen(rows_frame(batch.rows), max_text_chars=MAX_CHARS)
    assert len(kept) + len(bad) + len(batch.quarantine) >= 1
    if fmt == "jsonl":  # one JSON object per row, so every row is accounted for exactly
        assert batch.rows_read == len(rows)
        texts = [_as_text(r["text"]) for r in rows]
        good = [t for t, r in zip(texts, rows) if "id" not in r and _good(t) and texts.count(t) == 1]
        assert set(good) <= set(kept[V.TEXT])  # no good row is lost


@FAST
@given(data=st.binary(max_size=400), cut=st.integers(0, 4000), fmt=st.sampled_from(["csv", "jsonl", "parquet", "xlsx"]))
def test_loaders_survive_garbage_and_truncated_files(tmp_path_factory, data, cut, fmt):
    folder = tmp_path_factory.mktemp("junk")
    path = folder / f"junk.{fmt}"
    if fmt in ("parquet", "xlsx"):
        frame = pd.DataFrame({"text": ["eins", "twee", "три"], "id": ["a", "b", "c"]})
        frame.to_parquet(path) if fmt == "parquet" else frame.to_excel(path, index=False)
        path.write_bytes(path.read_bytes()[:cut] + data)
    else:
        path.write_bytes(b'text,id\n"open quote,1\n' + data)
    batch = read_source(_source(folder))
    assert batch.rows_read >= 1 or path.stat().st_size == 0 or fmt == "jsonl"
    assert all(q[V.REASON] for q in batch.quarantine)


@FAST
@given(header=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4, unique=True))
def test_loaders_wrong_column_names_quarantine_with_reason(tmp_path_factory, header):
    folder = tmp_path_factory.mktemp("cols")
    header = [h for h in header if h.strip() not in ("text", "")] or ["comment"]
    rows = [{h: f"value {i}" for h in header} for i in range(3)]
    (folder / "x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8", errors="surrogatepass")
    batch = read_source(_source(folder))
    assert batch.rows == [] and len(batch.quarantine) == 3
    assert all("column 'text' missing" in q[V.REASON] for q in batch.quarantine)
    mapped = read_source(_source(folder, columns={header[0]: "text"}))
    assert len(mapped.rows) == 3


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), st.lists(st.one_of(st.text(max_size=6), NASTY), max_size=20).map("".join)))
def test_normalise_and_redact_never_crash_and_are_idempotent(text):
    clean = normalise_text(text)
    assert normalise_text(clean) == clean
    once, counts = redact_text(clean)
    assert redact_text(once)[0] == once
    assert all(n >= 0 for n in counts.values())


@settings(max_examples=150, deadline=None)
@given(before=st.text(max_size=30), after=st.text(max_size=30),
       pii=st.sampled_from(["jan.jansen@example.nl", "+31 6 12345678", "06-12345678", "+49 151 23456789",
                            "+7 912 345-67-89", "+44 7700 900123", "(555) 123-4567", "NL91ABNA0417164300",
                            "4111 1111 1111 1111", "https://example.com/reset?token=abc123"]))
def test_redact_removes_planted_pii_in_any_context(before, after, pii):
    text = normalise_text(f"{before} {pii} {after}")
    if pii not in text:  # normalisation merged it with a neighbour (e.g. a combining mark)
        return
    assert pii not in redact_text(text)[0]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=6))
def test_stage_source_accounts_for_every_row(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("stage")
    _write(root / "in", "jsonl", [r for r in rows if not (isinstance(r["text"], float) and r["text"] != r["text"])])
    settings_ = ingest_settings(root, [])
    out = stage_source(_source(root / "in"), root / "stage", settings_)
    info = json.loads((out / "stage.json").read_text())
    staged = pd.read_parquet(out / "staged.parquet")
    assert info["rows_read"] == len(staged) + len(info["quarantine"]) + info["rows_already_processed"]
