"""Broken CSV quoting never swallows rows: every physical data line is a row or a quarantined line (issue 13, item 1)."""
from __future__ import annotations

import json

from tests.ingest.helpers import ingest_settings
from txnlp.config import load_settings
from txnlp.io.read import read_file
from txnlp.runner import STAGE_INFO, stage


def _staged(tmp_path, body: str):
    path = tmp_path / "in" / "q.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    stage_dir = stage([path], tmp_path / "stage", load_settings(None, embed={"kind": "fake"}))
    return json.loads((stage_dir / STAGE_INFO).read_text())


def _data_lines(body: str) -> int:
    return sum(1 for line in body.splitlines()[1:] if line.strip())


def test_csv_quotes_unclosed_quote_quarantines_the_rest_of_the_file(tmp_path):
    """The issue's reproduction: 2 rows and 0 quarantined before; now 1 row and the 4 lines after it."""
    body = 'id,text\n1,ok one\n2,"broken start\n3,row three\n4,row four\n5,row five\n'
    info = _staged(tmp_path, body)
    assert info["rows_in"] == _data_lines(body) == 5
    assert [q["input_row"] for q in info["quarantine"]] == [3, 4, 5, 6]
    assert {q["reason"] for q in info["quarantine"]} == {"unclosed quote from line 3: the rest of the file is not parsed"}
    assert info["files"][0]["rows"] == 5 and info["files"][0]["quarantined"] == 4


def test_csv_quotes_twenty_rows_are_counted_as_twenty(tmp_path):
    rows = [f"{i},row {i}" if i != 5 else f'{i},"row {i}' for i in range(1, 21)]
    info = _staged(tmp_path, "id,text\n" + "\n".join(rows) + "\n")
    assert info["rows_in"] == 20  # was 5: rows 5..20 were one text
    assert [q["input_row"] for q in info["quarantine"]] == list(range(6, 22))


def test_csv_quotes_a_quote_closed_by_the_next_row_costs_two_lines(tmp_path):
    rows = [f'{i},"row {i}"' if i != 5 else f'{i},"row {i}' for i in range(1, 21)]
    info = _staged(tmp_path / "b", "id,text\n" + "\n".join(rows) + "\n")
    assert info["rows_in"] == 20
    assert [q["input_row"] for q in info["quarantine"]] == [6, 7]  # row 5's quote closes inside row 6


def test_csv_quotes_a_stray_quote_costs_only_the_lines_of_its_record(tmp_path):
    body = ('id,text,channel\n1,fine,app\n2,"closed "too" early",web\n3,"spans\nlines "then" junk",web\n'
            '4,"a quoted\nnewline is fine",shop\n5,he said "hi",app\n')
    records, bad, _ = read_file(_write(tmp_path, body))
    assert [line for line, _ in records] == [2, 6, 8]
    assert records[1][1]["text"] == "a quoted\nnewline is fine" and records[2][1]["text"] == 'he said "hi"'
    assert [line for line, _ in bad] == [3, 4, 5]
    assert all(reason.startswith("malformed CSV: ") for _, reason in bad)
    # every physical data line is either inside a parsed record or quarantined
    assert len(bad) + 1 + 2 + 1 == _data_lines(body)


def test_csv_quotes_unclosed_quote_in_the_header(tmp_path):
    records, bad, _ = read_file(_write(tmp_path, '"id,text\n1,one\n\n2,two\n'))
    assert records == [] and [line for line, _ in bad] == [1, 2, 4]
    assert bad[0][1].endswith("(in the header)")


def test_csv_quotes_incremental_source_counts_every_line(tmp_path):
    from txnlp.ingest import stage_source

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text('id,text\n1,ok\n2,"open\n3,three\n', encoding="utf-8")
    settings = ingest_settings(tmp_path, [{"name": "web", "kind": "files", "path": str(folder)}])
    info = json.loads((stage_source(settings.ingest.sources[0], tmp_path / "stage", settings) / STAGE_INFO).read_text())
    assert info["rows_read"] == 3 and len(info["quarantine"]) == 2
    assert info["inputs"][0]["lines"] == 3  # physical data lines, beside the records read


def test_csv_quotes_manifest_counts_physical_lines_beside_records(tmp_path):
    """A record spanning two lines through a quoted newline: 3 rows (1 record, 2 quarantined lines) from 4 lines."""
    body = 'id,text\n1,"a quoted\nnewline"\n2,"open\n3,three\n\n'
    (entry,) = _staged(tmp_path, body)["files"]
    assert (entry["rows"], entry["lines"], entry["quarantined"]) == (3, 4, 2)
    assert entry["lines"] == _data_lines(body)
    records, bad, lines = read_file(tmp_path / "in" / "q.csv")
    assert lines == 4 and [n for n, _ in records] == [2] and [n for n, _ in bad] == [4, 5]


def _write(tmp_path, body: str):
    path = tmp_path / "q.csv"
    path.write_text(body, encoding="utf-8")
    return path
