"""report.html and the KPIs rebuild from a run's output files alone, with no model."""
import re

import pandas as pd
import pytest

from txnlp.config import load_settings
from txnlp.errors import InputDataError
from txnlp.io.history import load_history
from txnlp.report.build import build_report
from txnlp.runner import run


@pytest.fixture()
def run_dir(tmp_path, sample_csv, fake_embedder, tiny_sentiment):
    settings = load_settings(None, cluster={"n_clusters": 2, "min_cluster_size": 2}, report={"min_n": 3})
    out = tmp_path / "night"
    run([sample_csv], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    return out


def test_report_rebuilds_from_outputs_alone(run_dir):
    kpis = pd.read_parquet(run_dir / "kpis.parquet")
    for name in ("report.html", "kpis.parquet", "kpis.csv"):
        (run_dir / name).unlink()
    path = build_report(run_dir)
    html = path.read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(pd.read_parquet(run_dir / "kpis.parquet"), kpis)
    for section in ("summary", "kpi-pillar", "pain-points", "ex-cx", "themes", "nine-plus", "method"):
        assert f'id="{section}"' in html
    assert 'id="emerging"' in html  # themes carry `emerging` (theme tracking): the section is there
    assert 'data-chart="chart-sentiment-pillar"' in html and "Plotly.newPlot" in html
    # self-contained: nothing loaded from elsewhere
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=["\']?(https?:)?//', html)
    history = load_history(run_dir.parent / "history" / "kpi_history")
    assert len(history) == len(kpis)  # the rebuild replaced the night, it did not append it again


def test_report_renders_emerging_section_when_present(run_dir):
    themes = pd.read_parquet(run_dir / "themes.parquet")
    themes["emerging"] = themes["theme_id"] == themes["theme_id"].max()
    themes.to_parquet(run_dir / "themes.parquet", index=False)
    html = build_report(run_dir).read_text(encoding="utf-8")
    assert 'id="emerging"' in html


def test_report_small_groups_marked_and_numbers_formatted(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'class="num small-n"' in html  # groups under min_n are shown, greyed and marked
    # each pillar's negative share is printed as a whole percent with its n (the inlined plotly has "%" too)
    kpis = pd.read_parquet(run_dir / "kpis.parquet")
    shares = kpis[(kpis["dimension"] == "pillar") & (kpis["metric"] == "share_negative")]
    assert len(shares)
    for r in shares.itertuples():
        cell = rf'data-v="{re.escape(str(r.figure))}"[^>]*>{100 * r.figure:.0f}%<span class="n">n={r.n}</span>'
        assert re.search(cell, html), cell


def test_report_not_a_run_folder(tmp_path):
    with pytest.raises(InputDataError, match="missing manifest.json"):
        build_report(tmp_path)
