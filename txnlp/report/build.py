"""report.html for analysts, built from a run folder's outputs alone (no models needed).

`publish_report` computes the run's KPIs from comments.parquet, writes kpis.parquet/.csv, updates the
nightly KPI history, and renders one self-contained HTML file: styles, scripts and plotly.js are
inline (no CDN), so it opens on an air-gapped laptop. The settings and the night (`run_date`) come from
the run's manifest, and the pain points and EX-CX links from its shared_pain_points table (never
recomputed), so a rebuild (`txnlp report --run DIR`) gives the report the run would have written.

The page's filters and its comments dialog run on data embedded as JSON (`script_json`): every theme's
counts per filter combination and up to `comments_per_theme` comments per theme. Comment text is
hostile input, so that JSON is escaped to be inert inside <script>, and the script writes it with
textContent only.
"""
from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

import pandas as pd
from jinja2 import Environment, select_autoescape

from txnlp.report import sections as S
from txnlp import vocab as V
from txnlp.config import RankSettings, ReportSettings
from txnlp.errors import InputDataError
from txnlp.report.kpis import compute_kpis, nine_plus_view, resolve_score_scale, split_scores
from txnlp.report import charts
from txnlp.io.history import publish_kpis
from txnlp.report.strings import NUMBER_FORMATS, STRINGS, NumberFormat, script_strings, strings_for
from txnlp.themes.pain_points import PAIN_POINT_COLUMNS
from txnlp.io.write import PendingWrites, write_text

log = logging.getLogger(__name__)

REQUIRED = ("manifest.json", "comments.parquet", "themes.parquet")
PAIN_POINTS = "shared_pain_points.parquet"
# Comments embedded per theme for the analyst to read: at 40,000 comments and 100 themes, about 3 MB of page.
COMMENTS_PER_THEME = 100
# Characters that could end a <script> element, open a comment in it, or end a line in older JS parsers.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _template_text(name: str) -> str:
    return resources.files("txnlp.report").joinpath("templates", name).read_text(encoding="utf-8")


def _read_run(run_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """manifest, comments, themes and shared pain points; a run with no rows has no pain-point table."""
    missing = [name for name in REQUIRED if not (run_dir / name).is_file()]
    if missing:
        raise InputDataError(f"{run_dir}: not a run folder, missing {', '.join(missing)}")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    pain = (pd.read_parquet(run_dir / PAIN_POINTS) if (run_dir / PAIN_POINTS).is_file()
            else pd.DataFrame(columns=list(PAIN_POINT_COLUMNS)))
    return manifest, pd.read_parquet(run_dir / "comments.parquet"), pd.read_parquet(run_dir / "themes.parquet"), pain


def script_json(value) -> str:
    """JSON to place inside <script type="application/json">: no `<`, `>` or `&` left as such, so no
    text ("</script>", "<!--") can end or bend the element; JSON.parse gives the same value back."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_UNSAFE.items():
        text = text.replace(char, escaped)
    return text


def run_date(manifest: dict) -> str:
    """The night the run was filed under; manifests from before `run_date` was recorded: the day it was created."""
    return str(manifest.get("run_date") or str(manifest.get("created", ""))[:10])


def run_kpis(manifest: dict, comments: pd.DataFrame, cfg: ReportSettings) -> pd.DataFrame:
    """The KPI table of one run, filed under the run's night (so a rebuild or a backfill keeps its date)."""
    return compute_kpis(comments, run_date=run_date(manifest), run_id=manifest.get("run_id", ""),
                        min_n=cfg.min_n, default_scale=cfg.default_score_scale,
                        scale_by_source=cfg.score_scale_by_source, scale_by_audience=cfg.score_scale_by_audience)


def publish_report(run_dir: Path, report: ReportSettings | None = None, report_language: str | None = None, *,
                   comments_per_theme: int = COMMENTS_PER_THEME, pending: PendingWrites | None = None) -> dict[str, str]:
    """Write kpis.*, file them in the KPI history and render report.html; returns the paths written.

    `pending`: the KPI history changes only at `pending.commit()` (the run's caller commits once published).

    Without arguments the report settings and language are the ones in the run's manifest.
    """
    run_dir = Path(run_dir)
    manifest, comments, themes, pain = _read_run(run_dir)
    config = manifest.get("config", {})
    cfg = report or ReportSettings.model_validate(config.get("report", {}))
    lang = report_language or config.get("themes", {}).get("report_language", "en")
    kpis = run_kpis(manifest, comments, cfg)
    paths, history = publish_kpis(kpis, run_dir, cfg.history_dir, pending)
    html = render_report(manifest, comments, themes, pain, kpis, history, cfg, lang,
                         comments_per_theme=comments_per_theme)
    paths["report.html"] = str(write_text(run_dir / "report.html", html))
    log.info("report %s: %d bytes, %d kpi rows, %d nights", paths["report.html"], len(html.encode()), len(kpis),
             history["run_date"].nunique())
    return paths


def build_report(run_dir: Path, report: ReportSettings | None = None, report_language: str | None = None, *,
                 comments_per_theme: int = COMMENTS_PER_THEME) -> Path:
    """Rebuild report.html (and the KPIs it reads) from a run's outputs; returns the report's path."""
    return Path(publish_report(run_dir, report, report_language,
                               comments_per_theme=comments_per_theme)["report.html"])


def page_data(comments: pd.DataFrame, themes: pd.DataFrame, lang: str, comments_per_theme: int) -> dict:
    """What report.js reads: its strings, the number format, theme labels, counts and comments to read."""
    t = strings_for(lang)
    decimal, thousands = NUMBER_FORMATS.get(lang, NUMBER_FORMATS["en"])
    labels = {str(int(r[V.THEME_ID])): t.unthemed if int(r[V.THEME_ID]) == V.OUTLIER_THEME else str(r["label"])
              for r in themes.to_dict("records")}
    return {"strings": script_strings(lang), "number": {"decimal": decimal, "thousands": thousands}, "unknown": V.UNKNOWN,
            "cap": comments_per_theme, "labels": labels, "counts": S.theme_counts(comments),
            "comments": S.theme_comments(comments, comments_per_theme)}


def render_report(manifest: dict, comments: pd.DataFrame, themes: pd.DataFrame, pain: pd.DataFrame,
                  kpis: pd.DataFrame, history: pd.DataFrame, cfg: ReportSettings, lang: str = "en", *,
                  comments_per_theme: int = COMMENTS_PER_THEME) -> str:
    """The HTML text of the report (pure: frames in, text out); `pain` is the published shared_pain_points."""
    if comments_per_theme < 1:
        raise ValueError(f"comments_per_theme={comments_per_theme} should be >= 1")
    if lang not in STRINGS:
        log.warning("report language %r has no strings (have: %s): the report is in English", lang, ", ".join(STRINGS))
        lang = "en"
    t = strings_for(lang)
    fmt = NumberFormat(lang)
    sep = fmt.plotly_separators
    pillars = S.kpi_rows(kpis, "pillar")
    others = {dim: S.kpi_rows(kpis, dim) for dim in ("audience", "channel", "language")}
    pain_points = S.shared_pain_points(pain, comments, top=cfg.max_pain_points)
    for p in pain_points:
        p["why_text"] = S.why_text(p, t, fmt, lang)
    ex_cx = S.ex_cx_links(pain, comments, employee=cfg.employee_audiences, customer=cfg.customer_audiences)
    nine = nine_plus_view(kpis, top=cfg.top_themes_9plus)
    scale = resolve_score_scale(comments, default=cfg.default_score_scale, by_source=cfg.score_scale_by_source,
                                by_audience=cfg.score_scale_by_audience)
    nps_score, _ = split_scores(comments, scale)
    nine_rows = {}
    for key in ("promoters", "detractors"):
        quotes = S.promoter_quotes(comments, nine[key]["value"].tolist(), nps_score, promoters=key == "promoters")
        nine_rows[key] = [{**r, "quote": quotes.get(r["value"])} for r in nine[key].to_dict("records")]
    names = {s: t[s] for s in V.SENTIMENTS} | {"promoters": t.promoters, "detractors": t.detractors}
    pillar_history = history[history["dimension"] == "pillar"]
    chart_specs = {
        "chart-sentiment-pillar": charts.sentiment_bars(pillars, t.chart_sentiment_pillar, names, separators=sep),
        "chart-trend-net": charts.trend_lines(pillar_history, "pillar", "net_sentiment", t.chart_trend_net, scale=100,
                                              separators=sep, date=fmt.date),
        "chart-trend-nps": charts.trend_lines(pillar_history, "pillar", "nps", t.chart_trend_nps, separators=sep,
                                              date=fmt.date),
        "chart-silos": charts.silo_bars(pain_points, t.chart_silos, separators=sep, names={V.UNKNOWN: t.unknown}),
        "chart-nine": charts.promoter_bars(nine["promoters"], nine["detractors"], t.chart_nine, names, separators=sep),
    }
    chart_specs = {k: v for k, v in chart_specs.items() if v is not None}
    unthemed = int((comments[V.THEME_ID] == V.OUTLIER_THEME).sum()) if V.THEME_ID in comments else 0
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_template_text("report.html.j2"))
    return template.render(
        m=manifest, t=t, fmt=fmt, lang=lang, min_n=cfg.min_n, metrics=S.KPI_METRICS_SHOWN,
        min_link=RankSettings.model_validate(manifest.get("config", {}).get("rank", {})).min_link_negative,
        inputs=[{"name": Path(f.get("path", f.get("name", "?"))).name, "rows": f.get("rows", "")}
                for f in manifest.get("inputs", []) if isinstance(f, dict)],
        pillars=pillars, others=others, pain_points=pain_points, ex_cx=ex_cx, emerging=S.emerging_themes(themes),
        themes=S.all_themes(themes), flags=S.theme_flags(themes), unthemed=unthemed,
        filters=S.filter_values(comments), unknown=V.UNKNOWN, cap=comments_per_theme,
        page=script_json(page_data(comments, themes, lang, comments_per_theme)),
        nine=nine_rows, nights=int(history["run_date"].nunique()),
        trend_net="chart-trend-net" in chart_specs, trend_nps="chart-trend-nps" in chart_specs,
        chart_silos="chart-silos" in chart_specs, chart_nine="chart-nine" in chart_specs, charts=chart_specs,
        css=_template_text("report.css"), js=_template_text("report.js"), plotly_js=charts.plotly_js(),
    )
