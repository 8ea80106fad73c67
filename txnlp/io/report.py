"""HTML report for analysts, built from a run folder's outputs alone (no models needed).

Self-contained: inline CSS, no scripts or fonts from a CDN, so it opens on an air-gapped laptop.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from jinja2 import Environment, select_autoescape

from .write import write_text

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>txnlp report {{ m.run_id }}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2733;max-width:1200px}
h1{margin-bottom:.2rem} .muted{color:#66707a} table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #e3e7eb;padding:.4rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f4f6f8} .num{text-align:right} .pill{display:inline-block;background:#eef2f6;border-radius:.6rem;
padding:0 .45rem;margin:0 .15rem .15rem 0;font-size:.8rem} blockquote{margin:.2rem 0;color:#334;font-style:italic}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{background:#f4f6f8;border-radius:.5rem;padding:.8rem 1.2rem}
.card b{display:block;font-size:1.4rem}
</style></head><body>
<h1>Total Experience feedback: shared pain points</h1>
<p class="muted">Run {{ m.run_id }} · {{ m.created }} · txnlp {{ m.txnlp_version }}</p>
<div class="cards">
{% for k in ["rows_in","rows_out","rows_quarantined","themes"] %}<div class="card">{{ k.replace("_"," ") }}<b>{{ "{:,}".format(m.counts[k]) }}</b></div>{% endfor %}
</div>
<h2>Shared pain points</h2>
<p class="muted">Ranked by negative volume times spread over audiences (silos), pillars, channels and languages.</p>
<table><tr><th>#</th><th>Theme</th><th class="num">Size</th><th class="num">% negative</th><th>Audiences</th><th>Pillars</th><th>Languages</th><th>Quotes</th></tr>
{% for t in themes %}<tr><td>{{ t.shared_rank }}</td><td><b>{{ t.label }}</b></td><td class="num">{{ t.size }}</td>
<td class="num">{{ "%.0f"|format(100*t.share_negative) }}%</td>
<td>{% for k,v in t.audiences.items() %}<span class="pill">{{k}} {{v}}</span>{% endfor %}</td>
<td>{% for k,v in t.pillars.items() %}<span class="pill">{{k}} {{v}}</span>{% endfor %}</td>
<td>{% for k,v in t.languages.items() %}<span class="pill">{{k}} {{v}}</span>{% endfor %}</td>
<td>{% for q in t.quotes %}<blockquote>[{{ q.lang }}] {{ q.text }}</blockquote>{% endfor %}</td></tr>{% endfor %}
</table>
<h2>Sentiment by pillar</h2>
<table><tr><th>Pillar</th><th class="num">Comments</th><th class="num">% negative</th><th class="num">% positive</th><th class="num">Mean score</th></tr>
{% for p in pillars %}<tr><td>{{ p.pillar }}</td><td class="num">{{ p.n }}</td><td class="num">{{ "%.0f"|format(100*p.neg) }}%</td>
<td class="num">{{ "%.0f"|format(100*p.pos) }}%</td><td class="num">{{ "%.2f"|format(p.mean) }}</td></tr>{% endfor %}
</table>
<h2>Quarantine</h2>
{% if m.quarantine_reasons %}<table><tr><th>Reason</th><th class="num">Rows</th></tr>
{% for r,n in m.quarantine_reasons.items() %}<tr><td>{{ r }}</td><td class="num">{{ n }}</td></tr>{% endfor %}</table>
{% else %}<p>No rows quarantined.</p>{% endif %}
<h2>Models</h2><ul>{% for k,v in m.models.items() %}<li>{{ k }}: {{ v }}</li>{% endfor %}</ul>
<h2>Method notes</h2>
<p>Text is redacted (e-mail, phone, IBAN, card, URL, introduced names) before it is embedded or stored.
Sentiment score = P(positive) − P(negative). Themes are clusters of multilingual sentence embeddings; keywords are
class-based TF-IDF per language. Outliers are comments that joined no theme of the minimum size.</p>
</body></html>"""


def build_report(run_dir: Path) -> Path:
    """Render `report.html` into `run_dir` from manifest.json, themes.parquet and comments.parquet."""
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    themes = pd.read_parquet(run_dir / "themes.parquet")
    comments = pd.read_parquet(run_dir / "comments.parquet")
    ranked = themes[themes["shared_rank"].notna()].sort_values("shared_rank")
    theme_rows = [{**r, **{k: json.loads(r[k]) for k in ("audiences", "pillars", "languages", "quotes")}}
                  for r in ranked.to_dict("records")]
    pillars = [{"pillar": p, "n": len(g), "neg": (g["sentiment"] == "negative").mean(),
                "pos": (g["sentiment"] == "positive").mean(), "mean": g["sentiment_score"].mean()}
               for p, g in comments.groupby("pillar")]
    env = Environment(autoescape=select_autoescape(default=True))
    html = env.from_string(_TEMPLATE).render(m=manifest, themes=theme_rows, pillars=pillars)
    return write_text(run_dir / "report.html", html)
