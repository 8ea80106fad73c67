"""Open a report.html in headless Chromium: console errors, chart check, screenshot. Also makes docs/report.png.

    python scripts/report_screenshot.py --run out/demo --png docs/report.png
    python scripts/report_screenshot.py --demo out/report-demo --png docs/report.png   # fake models, no weights

`--demo` runs the pipeline on data/sample with the FakeEmbedder and a sentiment head trained on fake
embeddings (the texts of tests/conftest.py), and seeds the KPI history with earlier nights computed
from the sample's own `created_at` dates, so the trend lines have points. Not the real model.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CHROMIUM = os.environ.get("TXNLP_CHROMIUM", "/usr/bin/chromium")

# For each chart container: plotly's SVG, the traces drawn, and the marks (bars, points, line paths) in them.
_CHART_PROBE = """Array.from(document.querySelectorAll('[data-chart]')).map(e => ({
  id: e.dataset.chart, svg: e.querySelectorAll('svg.main-svg').length, traces: e.querySelectorAll('g.trace').length,
  marks: e.querySelectorAll('g.trace path.point, g.trace .points path, g.trace path.js-line').length}))"""


def inspect_report(html: Path, png: Path | None = None, *, width: int = 1200, height: int = 1500,
                   scale: float = 1.0) -> dict:
    """Load `html` in headless Chromium; return console errors, outside requests and what each chart drew."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    outside: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height}, device_scale_factor=scale)
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
        page.goto(Path(html).resolve().as_uri())
        page.wait_for_function("Array.from(document.querySelectorAll('[data-chart]'))"
                               ".every(e => e.querySelector('svg.main-svg g.trace'))", timeout=30000)
        charts = page.evaluate(_CHART_PROBE)
        if png is not None:
            Path(png).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
        rows = page.evaluate("document.querySelectorAll('#themes-table tbody tr').length")
        page.click("#themes-table thead th:nth-child(3)")  # sort by size
        sizes = page.evaluate("Array.from(document.querySelectorAll('#themes-table tbody tr td:nth-child(3)'))"
                              ".map(td => Number(td.dataset.v))")
        context.close()
    return {"errors": errors, "outside_requests": outside, "charts": charts, "theme_rows": rows, "sorted_sizes": sizes}


def build_demo(out: Path) -> Path:
    """Run the pipeline on data/sample with fake models; seed the history with earlier nights."""
    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo / "tests"))
    sys.path.insert(0, str(repo))
    import pandas as pd
    from conftest import NEGATIVE, NEUTRAL, POSITIVE

    from txnlp.classify import LinearSentimentClassifier
    from txnlp.config import load_settings
    from txnlp.embed import FakeEmbedder
    from txnlp.io.history import append_kpi_history, history_path
    from txnlp.report.build import build_report, run_kpis
    from txnlp.runner import run

    shutil.rmtree(out, ignore_errors=True)
    embedder = FakeEmbedder(dim=64)
    texts, labels = POSITIVE + NEGATIVE + NEUTRAL, ["positive"] * 6 + ["negative"] * 6 + ["neutral"] * 6
    sentiment = LinearSentimentClassifier(C=10.0).fit(embedder.encode(texts), labels)
    settings = load_settings(None, embed={"kind": "fake"})
    night = out / "night"
    run([repo / "data" / "sample"], night, settings, embedder=embedder, sentiment=sentiment)
    manifest = json.loads((night / "manifest.json").read_text())
    comments = pd.read_parquet(night / "comments.parquet")
    created = pd.to_datetime(comments["created_at"], errors="coerce", utc=True, format="mixed").dt.strftime("%Y-%m-%d")
    for day in ("2026-11-08", "2026-11-15", "2026-11-22"):
        earlier = comments[created <= day]
        kpis = run_kpis({**manifest, "run_date": day, "run_id": f"seed-{day}"}, earlier, settings.report)
        append_kpi_history(kpis, history_path(night))
    return build_report(night)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--run", type=Path, help="a run folder with report.html")
    group.add_argument("--demo", type=Path, help="build a demo run with fake models into this folder")
    parser.add_argument("--png", type=Path, default=None)
    parser.add_argument("--scale", type=float, default=0.6, help="device scale factor of the screenshot")
    args = parser.parse_args()
    html = build_demo(args.demo) if args.demo else args.run / "report.html"
    result = inspect_report(html, args.png, scale=args.scale)
    result["report_bytes"] = html.stat().st_size
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
