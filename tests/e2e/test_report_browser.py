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


# A third silo with few comments, so that choosing it leaves themes out.
PARTNER = [
    ("prt-1", "Het partnerportaal laadt niet, de factuur blijft hangen"),
    ("prt-2", "Das Partnerportal zeigt keine Rechnungen, furchtbar"),
    ("prt-3", "Портал для партнёров снова не работает, ужасно, никто не помог"),
    ("prt-4", "The partner portal is down again and nobody helped, awful"),
]
# Comment text the report must show as text. The normaliser strips tags from input, so it is written into
# the run's comments table afterwards: the report has to be safe whatever that table holds.
HOSTILE = ['</script><script>window.__pwned = 1</script> portal',
           '<img src=x onerror="window.__pwned = 2"> <!-- portal',
           '"]}</script><script>window.__pwned = 3//',
           "<b>bold?</b> \u2028 &amp; portal"]


@pytest.fixture(scope="module")
def partner_report(tmp_path_factory, fake_embedder, tiny_sentiment):
    """The sample plus four partner comments with hostile text, run with fake models, report rebuilt in Russian."""
    import pandas as pd

    from txnlp.config import load_settings
    from txnlp.report.build import build_report
    from txnlp.runner import run

    folder = tmp_path_factory.mktemp("partner")
    partner = folder / "partners.csv"
    pd.DataFrame([{"id": i, "text": text, "audience": "partner", "channel": "portal"} for i, text in PARTNER]).to_csv(
        partner, index=False)
    settings = load_settings(None, embed={"kind": "fake"}, themes={"report_language": "ru"})
    out = folder / "night"
    run([REPO / "data" / "sample", partner], out, settings, embedder=fake_embedder, sentiment=tiny_sentiment)
    comments = pd.read_parquet(out / "comments.parquet")
    comments.loc[comments["audience"] == "partner", "text"] = HOSTILE
    comments.to_parquet(out / "comments.parquet", index=False)
    return build_report(out), comments


def test_report_browser_filters_and_comments(partner_report, browser_ready):
    import tempfile

    from playwright.sync_api import sync_playwright
    from report_screenshot import CHROMIUM_ARGS

    from txnlp.report.strings import STRINGS

    html, comments = partner_report
    themes_of = comments.groupby("theme_id")["audience"].agg(set).to_dict()
    with_partner = {str(t) for t, silos in themes_of.items() if "partner" in silos}
    partner_theme = next(t for t in sorted(with_partner) if t != "-1")
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                        args=CHROMIUM_ARGS, viewport={"width": 1200, "height": 1500})
        page = context.new_page()
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.goto(html.resolve().as_uri())
        visible = ("(sel) => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null)"
                   ".map(e => e.dataset.theme)")
        all_rows = page.evaluate(visible, "#themes-table tbody tr")
        all_cards = page.evaluate(visible, "#pain-points div.point[data-theme]")
        page.select_option("select[data-filter=audience]", "partner")
        rows = page.evaluate(visible, "#themes-table tbody tr")
        cards = page.evaluate(visible, "#pain-points div.point[data-theme]")
        silos = page.evaluate("Array.from(document.querySelectorAll('#pain-points .silo'))"
                              ".filter(e => e.offsetParent !== null).map(e => e.dataset.audience)")
        status = page.inner_text("#filter-status")
        page.click(f'#themes-table button[data-open-theme="{partner_theme}"]')
        page.wait_for_selector("#comments-dialog[open]")
        dialog_rows = page.evaluate("Array.from(document.querySelectorAll('#comments-table tbody tr'))"
                                    ".map(tr => Array.from(tr.cells).map(td => td.textContent))")
        count_note = page.inner_text("#comments-count")
        page.keyboard.press("Escape")
        page.click("#filters button[type=reset]")
        page.wait_for_function("document.querySelectorAll('#themes-table tbody tr[hidden]').length === 0")
        reset_rows = page.evaluate(visible, "#themes-table tbody tr")
        pwned = page.evaluate("window.__pwned === undefined ? null : window.__pwned")
        context.close()

    assert errors == [] and pwned is None  # no comment text ran as script or markup
    # choosing a silo hides the themes and cards without it, and keeps those with it
    assert set(rows) == with_partner and len(rows) < len(all_rows)
    assert set(cards) <= with_partner and len(cards) < len(all_cards)
    assert set(silos) == {"partner"}
    assert sorted(reset_rows) == sorted(all_rows)
    t = STRINGS["ru"]
    n_partner = int((comments["audience"] == "partner").sum())
    assert status == t["filter_status"].format(themes=len(with_partner - {"-1"}), comments=n_partner)
    # opening a theme shows its comments that match the filter, as text
    expected = comments[(comments["theme_id"].astype(str) == partner_theme) & (comments["audience"] == "partner")]
    assert sorted(r[0] for r in dialog_rows) == sorted(expected["id"])
    assert {r[2] for r in dialog_rows} == {"partner"} and {r[4] for r in dialog_rows} <= {t["negative"], t["neutral"],
                                                                                           t["positive"]}
    texts = dict(zip(expected["id"], expected["text"]))
    assert all(r[5] == texts[r[0]] for r in dialog_rows)
    assert count_note == t["comments_shown"].format(shown=len(expected), total=len(expected))
