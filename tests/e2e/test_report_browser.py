"""report.html in a real browser: headless Chromium, no console errors, charts drawn with data, screenshot."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

from report_screenshot import CHROMIUM, build_demo, inspect_report  # noqa: E402


@pytest.fixture(scope="module")
def browser_ready():
    missing = [what for what, ok in (("chromium", Path(CHROMIUM).exists() or shutil.which(CHROMIUM)),
                                     ("playwright", _has_playwright())) if not ok]
    if missing and os.environ.get("CI"):
        pytest.fail(f"browser test needs {', '.join(missing)} (.ci/run installs chromium)")
    if missing:
        pytest.skip(f"missing {', '.join(missing)}")


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def test_report_browser_renders_charts_without_errors(tmp_path, browser_ready):
    html = build_demo(tmp_path / "demo")
    png = tmp_path / "report.png"
    result = inspect_report(html, png)
    assert result["errors"] == []
    assert result["outside_requests"] == []  # self-contained: nothing fetched
    ids = {c["id"] for c in result["charts"]}
    assert {"chart-sentiment-pillar", "chart-trend-net", "chart-silos", "chart-nine"} <= ids
    for chart in result["charts"]:
        assert chart["svg"] >= 1 and chart["traces"] >= 1 and chart["marks"] > 0, chart
    trend = next(c for c in result["charts"] if c["id"] == "chart-trend-net")
    assert trend["marks"] >= 4 * 2  # four pillars over several nights
    assert result["theme_rows"] > 0
    assert result["sorted_sizes"] == sorted(result["sorted_sizes"])  # the themes table sorts on click
    assert png.stat().st_size > 10_000
