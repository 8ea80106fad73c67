"""io/sources.py: created_at as a UTC timestamp with the unparseable kept as given, and DataFrame rows read as files."""
import pandas as pd

from txnlp import vocab as V
from txnlp.io.sources import frame_batch, parse_created_at, rows_frame


def test_sources_created_at_iso_values_become_utc_the_rest_stays_raw():
    given = pd.Series(["2026-11-22", "2026-11-01T09:33:28Z", "2026-11-01 09:33:28+01:00", "2026-11-01T10:00:00",
                       "03/04/2026", "yesterday", "", None, float("nan")], dtype=object)
    parsed, raw = parse_created_at(given)
    assert str(parsed.dtype) == "datetime64[ns, UTC]"
    assert parsed[:4].tolist() == [pd.Timestamp("2026-11-22", tz="UTC"), pd.Timestamp("2026-11-01 09:33:28", tz="UTC"),
                                   pd.Timestamp("2026-11-01 08:33:28", tz="UTC"),  # +01:00 read as such
                                   pd.Timestamp("2026-11-01 10:00:00", tz="UTC")]  # no offset: UTC
    assert parsed[4:].isna().all()
    assert raw.tolist() == [None, None, None, None, "03/04/2026", "yesterday", None, None, None]


def test_sources_rows_frame_keeps_created_at_raw_beside_the_timestamp():
    frame = rows_frame([{V.ID: "a", V.TEXT: "x", V.CREATED_AT: "2026-11-22"},
                        {V.ID: "b", V.TEXT: "y", V.CREATED_AT: "22.11.2026"}])
    assert frame[V.CREATED_AT].tolist()[0] == pd.Timestamp("2026-11-22", tz="UTC")
    assert pd.isna(frame[V.CREATED_AT][1]) and pd.isna(frame[V.CREATED_AT_RAW][0])
    assert frame[V.CREATED_AT_RAW][1] == "22.11.2026"


def test_sources_frame_missing_values_are_missing_not_text():
    frame = pd.DataFrame({"text": ["a", "b"], "created_at": pd.array([pd.NA, "2026-11-02"], dtype="string"),
                          "when": pd.to_datetime([None, "2026-11-01 09:00"], utc=True),
                          "channel": pd.array(["app", pd.NA], dtype="string")})
    batch = frame_batch(frame, "customer")
    first, second = batch.rows
    assert first[V.CREATED_AT] is None and first["when"] is None and second[V.CHANNEL] is None
    staged = rows_frame(batch.rows)
    assert staged[V.CREATED_AT_RAW].isna().all()  # pd.NA is no date to keep as "<NA>"
    assert staged["when"].tolist()[1].startswith("2026-11-01T09:00")
    assert staged[V.SOURCE].eq("dataframe").all() and batch.inputs == [{"path": "dataframe", "rows": 2}]
