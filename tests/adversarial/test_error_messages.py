"""Errors name files, columns, positions and row numbers, never cell values (issue 13, item 3)."""
from __future__ import annotations

import pandas as pd
import pytest

from txnlp.config import SourceSettings, load_settings
from txnlp.errors import InputDataError, StageError
from txnlp.io.labelled import read_labelled
from txnlp.io.sources import read_source
from txnlp.pipeline import TextPipeline
from txnlp.runner import stage

PHONE, EMAIL, NAME = "+31 6 12345678", "jan.jansen@example.nl", "Jan Jansen"
HEADERLESS = f"Bel {NAME} op {PHONE},{EMAIL},9\nok,x,y\n"


def _clean(message: str) -> None:
    assert not [s for s in (PHONE, "12345678", EMAIL, "jan.jansen", NAME, "Bel ") if s in message], message


def test_error_messages_headerless_file_says_the_header_looks_like_data(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(HEADERLESS, encoding="utf-8")
    with pytest.raises(InputDataError) as err:
        stage([path], tmp_path / "stage", load_settings(None))
    message = str(err.value)
    _clean(message)
    assert message == ("export.csv: column 'text' missing (3 columns found; the header looks like data, not column "
                       "names, at column(s) 1, 2, 3: does the file have a header row?)")


def test_error_messages_headerless_file_in_a_source_is_quarantined_with_positions(tmp_path):
    (tmp_path / "export.csv").write_text(HEADERLESS, encoding="utf-8")
    batch = read_source(SourceSettings(name="web", kind="files", path=tmp_path))
    (reason,) = {q["reason"] for q in batch.quarantine}
    _clean(reason)
    assert "the header looks like data" in reason and "column(s) 1, 2, 3" in reason


def test_error_messages_a_real_header_without_text_lists_no_hint(tmp_path):
    (tmp_path / "export.csv").write_text("comment,score\nhello,3\n", encoding="utf-8")
    batch = read_source(SourceSettings(name="web", kind="files", path=tmp_path))
    assert {q["reason"] for q in batch.quarantine} == {"column 'text' missing after mapping (2 columns found)"}


def test_error_messages_labelled_file_without_header(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(f"{NAME} belde {PHONE},{EMAIL}\nx,y\n", encoding="utf-8")
    with pytest.raises(InputDataError) as err:
        read_labelled([path], ("positive", "negative"))
    _clean(str(err.value))
    assert "2 columns found; the header looks like data" in str(err.value)


def test_error_messages_labelled_file_with_text_in_the_label_column(tmp_path):
    path = tmp_path / "labels.csv"
    pd.DataFrame({"text": ["fine", "ok", "meh"], "label": [f"call {NAME} {PHONE}", "NEG", "positive"]}).to_csv(
        path, index=False)
    with pytest.raises(InputDataError) as err:
        read_labelled([path], ("positive", "negative"))
    _clean(str(err.value))
    assert "unknown labels ['NEG'] and 1 value(s) that look like text on rows 2, 3" in str(err.value)


def test_error_messages_a_failing_stage_does_not_quote_the_library_message():
    class Breaks:
        name = "normalise"

        def __call__(self, frame):
            raise ValueError(f"could not convert {frame['text'][0]!r} to float")

    with pytest.raises(StageError) as err:
        TextPipeline([Breaks()])(pd.DataFrame({"id": ["1"], "text": [f"{NAME}, {PHONE}"]}))
    _clean(str(err.value))
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert str(err.value).startswith("stage 'normalise': ValueError at test_error_messages.py:")
