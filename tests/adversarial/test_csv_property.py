"""Generated CSV files through the real read and screen path: the physical row count always equals
rows_out + rows_quarantined (issue 13).

What a "physical row" is. The generator writes a header and N data records, and knows how each one
was written:
- a record the CSV grammar can delimit (RFC 4180 quoting, however many physical lines its quoted
  newlines take) is one row, whatever is in it: NULs, BOMs, delimiters, quotes, 200,000 characters;
- a record the grammar cannot delimit (a field whose closing quote is followed by more text, or an
  opening quote that is never closed and so runs to the end of the file) has no record boundary a
  reader could trust, so each non-blank physical line it spans is one row: the reader quarantines
  those lines one by one rather than guess where the next record starts;
- an empty line is no row.
So a well-formed file's physical row count is its number of records, and a broken one's is what
"rows by line" means where records can't be told apart. `rows_out + rows_quarantined` is counted
from what the files source and the screen return (the text stages after them keep the row count).

Every generated file also checks that no well-formed record with a processable text is lost: it
comes out, by its id, with its text, when the encoding round-trips (UTF-8, UTF-16).
"""
from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings, strategies as st

from txnlp import vocab as V
from txnlp.config import SourceSettings
from txnlp.io.sources import read_source, rows_frame
from txnlp.text.screen import row_problem, screen

MAX_CHARS = 5000
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]
ROUND_TRIP = {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"}
NASTY = ['"', '""', ",", ";", "\t", "|", "\n", "\r\n", "\r", "\x00", "\ufeff", " ", "'", "\\"]
CYRILLIC = "ЊЍТабвгдеёжзийклмнопрстуфхцчшщъыьэюя "
HUGE = ["x" * 200_000, "é" * (MAX_CHARS + 1), "line\n" * 3000, "line\n" * 30_000]  # csv's field limit: 131,072


def _field(codec: str, newlines: bool = True, russian: bool = False):
    """Text for one field, encodable in `codec`: plain characters, CSV-hostile pieces, or huge."""
    nasty = [p for p in NASTY if (newlines or ("\n" not in p and "\r" not in p)) and _encodable(p, codec)]
    chars = st.characters(codec="latin-1" if codec == "latin-1" else ("cp1252" if codec == "cp1252" else None),
                          exclude_categories=("Cs",),
                          exclude_characters="" if newlines else "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    pieces = st.lists(st.one_of(st.text(chars, max_size=12), st.sampled_from(nasty)), max_size=8).map("".join)
    huge = [h for h in HUGE if newlines or "\n" not in h]
    if russian and codec.startswith("utf"):
        # A file of Russian comments: few ASCII bytes, so BOM-less UTF-16 has few NULs to be told by (and
        # U+040A holds a 0x0A byte, U+0422 a quote byte, should it be read as bytes of UTF-8)
        return st.lists(st.one_of(st.text(CYRILLIC, min_size=10, max_size=80), st.sampled_from(nasty)),
                        min_size=1, max_size=5).map("".join)
    return st.one_of(pieces, pieces, pieces,
                     st.sampled_from(huge).map(lambda h: h.encode(codec, "ignore").decode(codec)))


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _quoted(value: str, delimiter: str, quote_all: bool) -> str:
    """RFC 4180: quote a field holding the delimiter, a quote or a line break (or every field); double quotes."""
    if quote_all or any(c in value for c in (delimiter, '"', "\r", "\n")) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_files(draw):
    """(bytes, codec, expected physical rows, {id: text} of the well-formed records)."""
    codec = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from(",;\t|"))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quote_all = draw(st.booleans())
    russian = draw(st.booleans())
    n = draw(st.integers(0, 8))
    lines = [delimiter.join(["id", "text", "channel"])]
    rows, wellformed = 0, {}
    for i in range(n):
        kind = draw(st.sampled_from(["ok", "ok", "ok", "stray_quote"] + (["unclosed"] if i == n - 1 else [])))
        rid = f"r{i}"
        channel = draw(st.sampled_from(["app", "web", "", "e;mail", 'sh"op']))
        if kind == "ok":
            text = draw(_field(codec, russian=russian))
            record = delimiter.join(_quoted(v, delimiter, quote_all) for v in (rid, text, channel))
            rows += 1
            wellformed[rid] = text
        elif kind == "stray_quote":  # "closed" then more text: the grammar can't say where this field ends
            head, tail = draw(_field(codec, newlines=False, russian=russian)), draw(st.text("abc xyz", min_size=1, max_size=5))
            head = head.replace('"', "")
            tail = tail if tail[0] not in (delimiter, " ") else "j" + tail
            record = delimiter.join([rid, '"' + head + '"' + tail, _quoted(channel.replace("\n", ""), delimiter, False)])
            rows += 1
        else:  # an opening quote never closed: it runs to the end of the file
            # every physical line it spans gets a letter, so none is blank (blank lines are no rows)
            text = re.sub(r"(\r\n|\r|\n)", r"\1z", draw(_field(codec, russian=russian)).replace('"', ""))
            record = delimiter.join([rid, '"' + text])
            rows += 1 + len(re.findall(r"\r\n|\r|\n", text))
        lines.append(record)
        if draw(st.integers(0, 9)) == 0:
            lines.append("")  # an empty line between records is no row
    body = newline.join(lines) + (newline if draw(st.booleans()) else "")
    return body.encode(codec), codec, rows, wellformed


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.large_base_example])
@given(generated=csv_files())
def test_csv_property_physical_rows_equal_rows_out_plus_quarantined(tmp_path_factory, generated):
    data, codec, physical_rows, wellformed = generated
    folder = tmp_path_factory.mktemp("csv")
    (folder / "export.csv").write_bytes(data)
    batch = read_source(SourceSettings(name="gen", kind="files", path=folder))
    kept, screened_out = screen(rows_frame(batch.rows), max_text_chars=MAX_CHARS)
    rows_out, rows_quarantined = len(kept), len(batch.quarantine) + len(screened_out)
    assert rows_out + rows_quarantined == physical_rows, (codec, batch.quarantine[:3], screened_out[:3])
    assert all(q[V.REASON] for q in itertools.chain(batch.quarantine, screened_out))
    if codec in ROUND_TRIP:
        good = {rid: text for rid, text in wellformed.items() if row_problem(text, MAX_CHARS) is None}
        assert dict(zip(kept[V.ID], kept[V.TEXT])) == good
