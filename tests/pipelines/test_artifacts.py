"""The artifact tasks through .fn(), Prefect's create_* functions recorded: what each run publishes."""
import pytest

from pipelines import artifacts
from txnlp import runner
from txnlp.config import load_settings


@pytest.fixture()
def published(monkeypatch):
    """(kind, key, payload) per artifact the tasks create, instead of calling the Prefect API."""
    seen = []

    def recorder(kind):
        def create(payload, key=None, description=None, **kwargs):
            seen.append((kind, key, payload if kind != "link" else (payload, kwargs.get("link_text"))))
            return f"id-{len(seen)}"
        return create

    for kind in ("table", "markdown", "link"):
        monkeypatch.setattr(artifacts, f"create_{kind}_artifact", recorder(kind))
    return seen


def test_artifacts_of_a_run_counts_pain_points_and_report(tmp_path, sample_csv, fake_config, published):
    result = runner.run([sample_csv], tmp_path / "out", load_settings(fake_config))
    assert artifacts.publish_run_artifacts.fn(result.summary()) == ["id-1", "id-2", "id-3"]
    (_, k1, counts), (_, k2, pain), (kind, k3, (link, text)) = published
    assert (k1, k2, k3, kind) == ("txnlp-counts", "txnlp-pain-points", "txnlp-report", "link")
    assert {"count": "quarantined: empty text", "value": 1} in counts
    assert all(set(row) == {"rank", "label", "silos", "ex_cx_link", "share_negative", "why"} for row in pain)
    report = (tmp_path / "out" / "report.html").resolve()
    assert link == report.as_uri() and text == str(report)


def test_artifacts_of_a_sources_run_with_nothing_new(published):
    summary = {"run_id": "20261110-abc", "output_dir": "runs/20261110-abc", "rows_already_processed": 12,
               "paths": {}, "status": "nothing new"}
    artifacts.publish_run_artifacts.fn(summary)
    assert published == [("markdown", "txnlp-counts",
                          "Nothing new to mine: 12 rows already processed; the latest run stays `20261110-abc`.")]


def test_artifacts_of_a_retrain_decision_and_its_figures(published):
    decision = {"promoted": False, "reason": "languages drop by more than 0.02: {'de': 0.03}",
                "challenger": "models/candidates/sentiment-x", "challenger_metrics": {"de": 0.67, "overall": 0.67},
                "champion_metrics": {"de": 0.70, "overall": 0.70}}
    artifacts.publish_retrain_artifacts.fn("sentiment", decision)
    (k1, key1, text), (k2, key2, rows) = published
    assert (k1, key1, k2, key2) == ("markdown", "txnlp-retrain-sentiment", "table", "txnlp-retrain-sentiment-figures")
    assert text.startswith("**sentiment challenger refused**: languages drop by more than 0.02")
    assert rows[0] == {"language": "de", "challenger": 0.67, "champion": 0.70, "change": -0.03}
