"""Reading one-off inputs: each `--input` file is a `files` source read with `one_off=True`."""
import json

import pandas as pd
import pytest

from txnlp import vocab as V
from txnlp.config import SourceSettings
from txnlp.errors import InputDataError
from txnlp.io.read import expand_inputs
from txnlp.io.sources import files_source, read_source, row_id, rows_frame


def _read(paths, audience="unknown"):
    """What `runner.stage` reads before screening: one frame of rows plus the quarantine entries."""
    batches = [read_source(files_source("input", p, audience), one_off=True) for p in expand_inputs(paths)]
    return rows_frame([r for b in batches for r in b.rows]), [q for b in batches for q in b.quarantine]


def test_read_csv_jsonl_parquet_and_passthrough(tmp_path, sample_csv):
    (tmp_path / "emp.jsonl").write_text(json.dumps({"text": "Roster is late", "department": "IT"}) + "\n", encoding="utf-8")
    pd.DataFrame({"text": ["parquet row"], "audience": ["Customer"]}).to_parquet(tmp_path / "p.parquet")
    frame, quarantine = _read([tmp_path])
    assert len(frame) == 8 and quarantine == []
    assert {"region", "department"} <= set(frame.columns)
    assert set(frame["audience"]) == {"customer", "employee", "unknown"}
    assert frame["id"].is_unique


def test_read_missing_text_column_names_file_and_count_not_names(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("comment,score\nhello,3\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"^bad.csv: column 'text' missing \(2 columns found\)$"):
        _read([path])


def test_read_headerless_file_error_carries_no_row_values(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Bel me op 06-12345678,jan.jansen@example.nl,NL91ABNA0417164300\nok,x,y\n", encoding="utf-8")
    with pytest.raises(InputDataError) as err:
        _read([path])
    message = str(err.value)
    assert "export.csv" in message and "3 columns found" in message
    assert not any(s in message for s in ("06-12345678", "jan.jansen", "NL91ABNA0417164300", "Bel me"))


def test_read_configured_source_quarantines_a_file_without_text(tmp_path):
    (tmp_path / "bad.csv").write_text("comment,score\nhello,3\n", encoding="utf-8")
    batch = read_source(SourceSettings(name="web", kind="files", path=tmp_path))
    assert batch.rows == [] and [q[V.REASON] for q in batch.quarantine] == [
        "column 'text' missing after mapping (2 columns found)"]


def test_read_stable_id_ignores_row_position_file_and_passthrough(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x.csv").write_text("text,region\nfirst,N\nsecond,N\n", encoding="utf-8")
    (b / "y.csv").write_text("text,region\nsecond,S\nfirst,S\n", encoding="utf-8")
    ids_a = dict(zip(*_read([a])[0][["text", "id"]].T.values))
    ids_b = dict(zip(*_read([b])[0][["text", "id"]].T.values))
    assert ids_a == ids_b and ids_a["first"] != ids_a["second"]
    assert ids_a["first"] == row_id({"text": "first"}) and ids_a["first"].startswith("h")


def test_read_own_id_kept_and_own_source_kept_else_file_stem(tmp_path):
    path = tmp_path / "export_nov.csv"
    path.write_text("id,text,source\n c7 ,hallo,app_store\n,moin,\n", encoding="utf-8")
    frame, _ = _read([path])
    assert frame["id"].iloc[0] == "c7" and frame["id"].iloc[1].startswith("h")
    assert frame["source"].tolist() == ["app_store", "export_nov"]
    configured = rows_frame(read_source(SourceSettings(name="web", kind="files", path=tmp_path)).rows)
    assert configured["source"].tolist() == ["web", "web"]
    assert configured["id"].tolist() == frame["id"].tolist()


def test_read_cp1252_and_semicolon_csv(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("text;channel\nDie Rechnung ist zu hoch, schöne Grüße;email\nÇa va très bien merci;web\n".encode("cp1252"))
    frame, _ = _read([path])
    assert frame["text"].iloc[0] == "Die Rechnung ist zu hoch, schöne Grüße"
    assert frame["channel"].tolist() == ["email", "web"]


def test_read_malformed_rows_and_unreadable_file_are_quarantined(tmp_path):
    (tmp_path / "a.csv").write_text('text,score\nok row,1\ntoo,many,fields\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "fine"}\n{broken\n[1, 2]\n', encoding="utf-8")
    (tmp_path / "c.parquet").write_bytes(b"PAR1 this is not parquet")
    frame, quarantine = _read([tmp_path])
    assert sorted(frame["text"]) == ["fine", "ok row"]
    reasons = sorted(q["reason"].split(":")[0].split(" (")[0] for q in quarantine)
    assert reasons == ["JSON line is a list, not an object", "invalid JSON", "malformed CSV row", "unreadable file"]
    assert all("text" not in q for q in quarantine)
    assert [q["source"] for q in quarantine if q["input_file"] == "c.parquet"] == ["c"]


def test_read_missing_input_is_clear_error(tmp_path):
    with pytest.raises(InputDataError, match="input not found"):
        expand_inputs([tmp_path / "nope.csv"])


def test_read_named_file_of_unsupported_type_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"notes.txt: unsupported file type '.txt'"):
        expand_inputs([tmp_path / "notes.txt"])


def test_read_file_name_with_glob_characters(tmp_path):
    path = tmp_path / "export[1].csv"
    path.write_text("text\nhello\n", encoding="utf-8")
    frame, _ = _read([path])
    assert frame["text"].tolist() == ["hello"]


def test_read_undecodable_bytes_quarantine_only_that_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes('text\n"goed zo, dank je"\n'.encode() + b"kapot \xff\xfe bytes\n" + '"noch gut, schön"\n'.encode())
    frame, quarantine = _read([path])
    assert frame["text"].tolist() == ["goed zo, dank je", "noch gut, schön"]
    assert [q["reason"] for q in quarantine] == ["undecodable bytes"]
