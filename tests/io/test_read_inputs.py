import json

import pandas as pd
import pytest

from txnlp.errors import InputDataError
from txnlp.io.read import load_inputs


def test_read_csv_jsonl_parquet_and_passthrough(tmp_path, sample_csv):
    (tmp_path / "emp.jsonl").write_text(json.dumps({"text": "Roster is late", "department": "IT"}) + "\n", encoding="utf-8")
    pd.DataFrame({"text": ["parquet row"], "audience": ["Customer"]}).to_parquet(tmp_path / "p.parquet")
    result = load_inputs([tmp_path])
    assert len(result.frame) == 8
    assert {"region", "department"} <= set(result.frame.columns)
    assert set(result.frame["audience"]) == {"customer", "employee", "unknown"}
    assert result.frame["id"].is_unique


def test_read_missing_text_column_names_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("comment,score\nhello,3\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"bad.csv: column 'text' missing \(found: comment, score\)"):
        load_inputs([path])


def test_read_stable_id_ignores_row_position(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x.csv").write_text("text\nfirst\nsecond\n", encoding="utf-8")
    (b / "x.csv").write_text("text\nsecond\nfirst\n", encoding="utf-8")
    ids_a = dict(zip(*load_inputs([a]).frame[["text", "id"]].T.values))
    ids_b = dict(zip(*load_inputs([b]).frame[["text", "id"]].T.values))
    assert ids_a == ids_b and ids_a["first"] != ids_a["second"]


def test_read_cp1252_and_semicolon_csv(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("text;channel\nDie Rechnung ist zu hoch, schöne Grüße;email\nÇa va très bien merci;web\n".encode("cp1252"))
    frame = load_inputs([path]).frame
    assert frame["text"].iloc[0] == "Die Rechnung ist zu hoch, schöne Grüße"
    assert frame["channel"].tolist() == ["email", "web"]


def test_read_malformed_rows_and_unreadable_file_are_quarantined(tmp_path):
    (tmp_path / "a.csv").write_text('text,score\nok row,1\ntoo,many,fields\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "fine"}\n{broken\n[1, 2]\n', encoding="utf-8")
    (tmp_path / "c.parquet").write_bytes(b"PAR1 this is not parquet")
    result = load_inputs([tmp_path])
    assert sorted(result.frame["text"]) == ["fine", "ok row"]
    reasons = sorted(q["reason"].split(":")[0].split(" (")[0] for q in result.quarantine)
    assert reasons == ["JSON line is a list, not an object", "invalid JSON", "malformed CSV row", "unreadable file"]
    assert all("text" not in q for q in result.quarantine)


def test_read_missing_input_is_clear_error(tmp_path):
    with pytest.raises(InputDataError, match="input not found"):
        load_inputs([tmp_path / "nope.csv"])


def test_read_undecodable_bytes_quarantine_only_that_row(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes('text\n"goed zo, dank je"\n'.encode() + b"kapot \xff\xfe bytes\n" + '"noch gut, schön"\n'.encode())
    result = load_inputs([path])
    assert result.frame["text"].tolist() == ["goed zo, dank je", "noch gut, schön"]
    assert [q["reason"] for q in result.quarantine] == ["undecodable bytes in column(s) text"]
