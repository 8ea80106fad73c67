"""The run digest behind the Prefect artifacts: counts by reason, pain points without quotes, the report path."""
import json

import pandas as pd
import pytest

from txnlp import runner
from txnlp.config import load_settings
from txnlp.errors import InputDataError
from txnlp.report.digest import count_rows, pain_point_rows, run_digest

QUOTE = "Jan de Vries (jan@example.com) says the app logs him out"


def _pain(audiences) -> pd.DataFrame:
    quotes = json.dumps([{"id": "c1", "lang": "en", "text": QUOTE}])
    rows = [{"shared_rank": rank, "label": label, "audiences": aud, "ex_cx_link": rank == 1, "share_negative": 0.61234,
             "why": f"{rank} of 9 comments negative", "employee_quotes": quotes, "customer_quotes": quotes,
             "silo_quotes": json.dumps({"customer": [{"id": "c1", "lang": "en", "text": QUOTE}]})}
            for rank, label, aud in [(2, "billing", audiences[1]), (1, "app logout", audiences[0]),
                                     (3, "opening hours", audiences[1])]]
    return pd.DataFrame(rows)


def test_digest_counts_headline_first_then_quarantine_by_reason_then_the_rest():
    manifest = {"counts": {"scores_unparsed": 1, "themes": 4, "rows_out": 9, "rows_in": 12, "rows_quarantined": 3},
                "quarantine_reasons": {"empty text": 1, "duplicate id (already read in this run)": 2}}
    assert count_rows(manifest) == [
        {"count": "rows_in", "value": 12}, {"count": "rows_out", "value": 9}, {"count": "rows_quarantined", "value": 3},
        {"count": "themes", "value": 4}, {"count": "quarantined: duplicate id (already read in this run)", "value": 2},
        {"count": "quarantined: empty text", "value": 1}, {"count": "scores_unparsed", "value": 1}]


@pytest.mark.parametrize("audiences", [
    ('{"customer": 5, "employee": 7}', '{"customer": 3}'),  # JSON text, as in the CSV-shaped tables
    ({"customer": 5, "employee": 7}, {"customer": 3}),  # native maps
])
def test_digest_pain_points_ranked_top_n_without_quotes(audiences):
    rows = pain_point_rows(_pain(audiences), top=2)
    assert rows == [
        {"rank": 1, "label": "app logout", "silos": "employee 7, customer 5", "ex_cx_link": True,
         "share_negative": 0.612, "why": "1 of 9 comments negative"},
        {"rank": 2, "label": "billing", "silos": "customer 3", "ex_cx_link": False, "share_negative": 0.612,
         "why": "2 of 9 comments negative"}]
    assert "jan@example.com" not in json.dumps(rows) and "Vries" not in json.dumps(rows)
    with pytest.raises(ValueError, match="top=0 should be >= 1"):
        pain_point_rows(_pain(audiences), top=0)


def test_digest_of_a_run_folder_has_the_report_and_no_comment_text(tmp_path, sample_csv, fake_config):
    out = tmp_path / "out"
    runner.run([sample_csv], out, load_settings(fake_config))
    digest = run_digest(out)
    counts = {r["count"]: r["value"] for r in digest.counts}
    assert counts["rows_in"] == 6 and counts["rows_out"] == 5 and counts["quarantined: empty text"] == 1
    assert digest.report == (out / "report.html").resolve() and digest.report.is_file()
    text = json.dumps([digest.counts, digest.pain_points])
    for comment in pd.read_csv(sample_csv)["text"].str.strip():
        assert not comment or comment not in text
    with pytest.raises(InputDataError, match="missing manifest.json"):
        run_digest(tmp_path / "nowhere")
