"""An incremental run files every output under its --run-date, and builds its report once."""
import json

import pandas as pd
import pytest

import txnlp.report.build as report_build
from tests.ingest.helpers import CUSTOMERS, ingest_settings, write_rows
from txnlp.ingest import run_sources
from txnlp.io.history import load_history as load_kpi_history
from tests.ingest.helpers import read_history
from txnlp.report.build import build_report


@pytest.fixture()
def models(fake_embedder, tiny_sentiment):
    return {"embedder": fake_embedder, "sentiment": tiny_sentiment}


@pytest.fixture()
def report_builds(monkeypatch):
    """The manifest each report.html was rendered from, in order."""
    seen = []
    render = report_build.render_report

    def counting(manifest, *args, **kwargs):
        seen.append(json.loads(json.dumps(manifest)))
        return render(manifest, *args, **kwargs)

    monkeypatch.setattr(report_build, "render_report", counting)
    return seen


def test_ingest_backfill_keeps_the_earlier_night(tmp_path, models, report_builds):
    folder = tmp_path / "exports"
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(folder),
                                           "audience": "customer"}])
    write_rows(folder / "day1.csv", CUSTOMERS[:3])
    first = run_sources(settings, run_date="2026-11-30", **models)
    write_rows(folder / "day2.csv", CUSTOMERS[3:4])
    second = run_sources(settings, run_date="2026-12-02", **models)  # a backfill, run on another day
    runs = tmp_path / "runs"
    kpis = load_kpi_history(runs / "history" / "kpi_history")
    assert sorted(kpis["run_date"].unique()) == ["2026-11-30", "2026-12-02"]
    volume = kpis[(kpis["dimension"] == "all") & (kpis["metric"] == "volume")].set_index("run_date")["figure"]
    assert volume.to_dict() == {"2026-11-30": 3.0, "2026-12-02": 1.0}
    themes = pd.read_parquet(runs / "state" / "theme_history.parquet")
    assert sorted(themes["run_date"].unique()) == ["2026-11-30", "2026-12-02"]
    assert sorted(read_history(runs / "history")["run_date"].unique()) == ["2026-11-30", "2026-12-02"]
    for result, night in ((first, "2026-11-30"), (second, "2026-12-02")):
        manifest = json.loads((result.output_dir / "manifest.json").read_text())
        assert manifest["run_date"] == night
        assert set(pd.read_parquet(result.output_dir / "kpis.parquet")["run_date"]) == {night}
    # one report per run, rendered from the finished manifest (per-source counts already in it)
    assert len(report_builds) == 2
    assert [m["sources"]["shop"]["rows_written"] for m in report_builds] == [3, 1]
    assert report_builds[1]["counts"]["rows_already_processed"] == 0 and report_builds[1]["full_refresh"] is False
    # `txnlp report --run` on the earlier night rebuilds it under its own night, not today's
    build_report(first.output_dir)
    assert set(pd.read_parquet(first.output_dir / "kpis.parquet")["run_date"]) == {"2026-11-30"}
    kpis = load_kpi_history(runs / "history" / "kpi_history")
    assert sorted(kpis["run_date"].unique()) == ["2026-11-30", "2026-12-02"]


def test_ingest_report_of_an_old_manifest_uses_its_created_date(tmp_path, models):
    folder = tmp_path / "exports"
    write_rows(folder / "day1.csv", CUSTOMERS[:3])
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(folder)}])
    result = run_sources(settings, run_date="2026-11-30", **models)
    path = result.output_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["run_date"]
    manifest["created"] = "2026-10-05T23:10:00+00:00"
    path.write_text(json.dumps(manifest))
    build_report(result.output_dir)
    assert set(pd.read_parquet(result.output_dir / "kpis.parquet")["run_date"]) == {"2026-10-05"}


def test_ingest_run_date_escape_is_refused(tmp_path, models):
    settings = ingest_settings(tmp_path, [{"name": "shop", "kind": "files", "path": str(tmp_path / "in")}])
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        run_sources(settings, run_date="../../../escape", **models)
    assert not (tmp_path / "escape").exists() and not (tmp_path / "runs" / ".stage").exists()
