"""Plotly figures for report.html, returned as JSON specs; plotly.js itself is inlined once by the report.

Plotly draws SVG in the browser from these specs, works offline with its JS inlined, and prints.
Titles and trace names come in already in the report language; `separators` (decimal mark, then
thousands separator) makes plotly's hover figures read like the report's tables.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

COLOURS = {"negative": "#c8414f", "neutral": "#aab4bf", "positive": "#2e8b57"}
LINE_COLOURS = ["#1f5f99", "#d08a1e", "#6a4c93", "#2a9d8f", "#c8414f", "#5c677d"]
_LAYOUT = dict(template="plotly_white", margin=dict(l=10, r=10, t=40, b=10), font=dict(size=12),
               legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, traceorder="normal"))


def _go():
    import plotly.graph_objects as go

    return go


def _spec(fig) -> str:
    # "</" would end the inline <script> the spec sits in.
    return fig.to_json().replace("</", "<\\/")


def sentiment_bars(rows: list[dict], title: str, names: dict[str, str], *, separators: str = ".,") -> str:
    """Stacked horizontal bars of negative / neutral / positive share per group."""
    go = _go()
    labels = [r["label"] for r in rows][::-1]
    fig = go.Figure()
    for s in ("negative", "neutral", "positive"):
        values = [100 * r.get(f"share_{s}", {}).get("figure", 0.0) for r in rows][::-1]
        fig.add_bar(y=labels, x=values, name=names[s], orientation="h", marker_color=COLOURS[s],
                    hovertemplate="%{y}: %{x:.0f}%<extra>" + names[s] + "</extra>")
    fig.update_layout(barmode="stack", title=title, height=110 + 34 * len(labels), xaxis=dict(ticksuffix="%", range=[0, 100]),
                      separators=separators, **_LAYOUT)
    return _spec(fig)


def trend_lines(history: pd.DataFrame, dimension: str, metric: str, title: str, y_suffix: str = "",
                scale: float = 1.0, *, separators: str = ".,", date: Callable[[str], str] = str) -> str | None:
    """One line per value of `dimension` over the nights in the history; None when the metric is absent.

    `date` writes a night for the reader; the nights keep their calendar order on the axis even when a
    line lacks one of them (a category axis would otherwise order them as the lines first show them).
    """
    part = history[(history["dimension"] == dimension) & (history["metric"] == metric)]
    if part.empty:
        return None
    go = _go()
    fig = go.Figure()
    nights = sorted(part["run_date"].astype(str).unique())
    for i, (value, group) in enumerate(part.sort_values("run_date").groupby("value", sort=True)):
        fig.add_scatter(x=[date(d) for d in group["run_date"].astype(str)], y=group["figure"] * scale, name=str(value),
                        mode="lines+markers", line=dict(color=LINE_COLOURS[i % len(LINE_COLOURS)], width=2),
                        customdata=group["n"], hovertemplate="%{x}: %{y:.1f}" + y_suffix + " (n=%{customdata})")
    fig.update_layout(title=title, height=320, yaxis=dict(ticksuffix=y_suffix, zeroline=True),
                      xaxis=dict(type="category", categoryorder="array", categoryarray=[date(d) for d in nights]),
                      separators=separators, **_LAYOUT)
    return _spec(fig)


def silo_bars(points: list[dict], title: str, *, separators: str = ".,", names: dict[str, str] | None = None) -> str | None:
    """Grouped horizontal bars: negative comments per silo for each shared pain point; `names` words a silo
    value for the reader (the `unknown` silo in the report language)."""
    if not points:
        return None
    go = _go()
    silos = sorted({s["audience"] for p in points for s in p["silos"]})
    labels = [f"#{p['rank']} {p['label']}" for p in points][::-1]
    fig = go.Figure()
    for i, silo in enumerate(silos):
        values = [next((s["negative"] for s in p["silos"] if s["audience"] == silo), 0) for p in points][::-1]
        fig.add_bar(y=labels, x=values, name=(names or {}).get(silo, silo), orientation="h",
                    marker_color=LINE_COLOURS[i % len(LINE_COLOURS)])
    fig.update_layout(barmode="group", title=title, height=int(120 + 16 * len(labels) * max(1, len(silos))),
                      separators=separators, **_LAYOUT)
    return _spec(fig)


def promoter_bars(promoters: pd.DataFrame, detractors: pd.DataFrame, title: str, names: dict[str, str], *,
                  separators: str = ".,") -> str | None:
    """Diverging bars per theme: promoters (9-10) to the right, detractors (0-6) to the left."""
    if promoters.empty and detractors.empty:
        return None
    go = _go()
    order = list(dict.fromkeys([*promoters["label"], *detractors["label"]]))[::-1]
    p = dict(zip(promoters["label"], promoters["count"]))
    d = dict(zip(detractors["label"], detractors["count"]))
    fig = go.Figure()
    fig.add_bar(y=order, x=[p.get(t, 0) for t in order], name=names["promoters"], orientation="h",
                marker_color=COLOURS["positive"])
    fig.add_bar(y=order, x=[-d.get(t, 0) for t in order], name=names["detractors"], orientation="h",
                marker_color=COLOURS["negative"], customdata=[d.get(t, 0) for t in order],
                hovertemplate="%{y}: %{customdata}<extra>" + names["detractors"] + "</extra>")
    fig.update_layout(barmode="relative", title=title, height=120 + 30 * len(order), separators=separators, **_LAYOUT)
    return _spec(fig)


def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package, for inlining (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
