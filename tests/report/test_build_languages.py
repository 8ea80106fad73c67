"""report.html in nl, de, ru and en from the same small run: translated throughout, no English fallback.

The run's published tables are made by hand here (no pipeline, no model).
"""
import json
import re
import string
from html.parser import HTMLParser

import pandas as pd
import pytest

from txnlp import vocab as V
from txnlp.config import ReportSettings
from txnlp.report.build import render_report
from txnlp.report.kpis import compute_kpis
from txnlp.report.strings import EN, STRINGS
from txnlp.themes.pain_points import shared_pain_points
from txnlp.vocab import SUPPORTED_LANGS

# Hostile comment text: it must reach the reader as text, never as markup or script.
HOSTILE = '</script><script>window.__pwned = 1</script><!-- <img src=x onerror="window.__pwned = 2"> & \u2028'

COMMENTS = [  # id, theme, audience, channel, lang, pillar, sentiment, score, text
    ("c1", 1, "customer", "app", "nl", "CX", "negative", -0.9, "De app logt me steeds uit"),
    ("c2", 1, "customer", "app", "de", "CX", "negative", -0.7, "Die App meldet mich ständig ab"),
    ("c3", 1, "customer", "web", "nl", "UX", "neutral", -0.1, "Inloggen gaat soms mis"),
    ("e1", 1, "employee", "survey", "ru", "EX", "negative", -0.8, "Клиенты звонят, потому что приложение их выкидывает"),
    ("e2", 1, "employee", "survey", "ru", "EX", "negative", -0.6, HOSTILE),
    ("c4", 2, "customer", "shop", "de", "CX", "positive", 0.9, "Sehr freundlich im Laden"),
    ("c5", 2, "customer", "shop", "nl", "CX", "negative", -0.5, "Lange rij bij de kassa"),
    ("c6", 2, "customer", "shop", "ru", "CX", "positive", 0.6, "Отличный сервис в магазине"),
    ("x1", -1, None, "web", "nl", "UX", "neutral", 0.0, "Hoe wijzig ik mijn adres"),
]


@pytest.fixture()
def hostile() -> str:
    return HOSTILE


def _counts(series: pd.Series) -> str:
    return json.dumps({str(k): int(v) for k, v in series.fillna(V.UNKNOWN).value_counts().sort_index().items()})


@pytest.fixture()
def tables():
    """(manifest, comments, themes, pain, kpis, history, cfg) of a two-theme night with an unthemed comment."""
    comments = pd.DataFrame(COMMENTS, columns=[V.ID, V.THEME_ID, V.AUDIENCE, V.CHANNEL, V.LANG, V.PILLAR, V.SENTIMENT,
                                               V.SENTIMENT_SCORE, V.TEXT])
    comments[V.THEME_LABEL] = comments[V.THEME_ID].map({1: "app / logout", 2: "shop / queue", -1: "outliers"})
    comments[V.SCORE] = [2, 3, None, None, None, 10, 4, 9, None]
    rows = []
    for tid, group in comments.groupby(V.THEME_ID):
        rows.append({V.THEME_ID: tid, "label": group[V.THEME_LABEL].iloc[0], "size": len(group),
                     "share_negative": float((group[V.SENTIMENT] == "negative").mean()),
                     "mean_sentiment": float(group[V.SENTIMENT_SCORE].mean()),
                     "audiences": _counts(group[V.AUDIENCE]), "pillars": _counts(group[V.PILLAR]),
                     "languages": _counts(group[V.LANG]), "channels": _counts(group[V.CHANNEL]),
                     "keywords": json.dumps({"nl": ["app", "uitloggen"]}),
                     "shared_score": float((group[V.SENTIMENT] == "negative").sum())})
    themes = pd.DataFrame(rows)
    pain = shared_pain_points(comments, themes, employee=["employee"], customer=["customer"], min_link_negative=2)
    themes["shared_rank"] = themes[V.THEME_ID].map(dict(zip(pain[V.THEME_ID], pain["shared_rank"])))
    cfg = ReportSettings(min_n=2)
    kpis = compute_kpis(comments, run_date="2026-11-30", run_id="r1", min_n=cfg.min_n)
    manifest = {"run_id": "r1", "run_date": "2026-11-30", "created": "2026-11-30T22:10:05+00:00",
                "txnlp_version": "0.0", "models": {"embedder": "fake"}, "inputs": [{"path": "in/feedback.csv", "rows": 9}],
                "counts": {"rows_in": 9, "rows_out": 9, "rows_quarantined": 0, "themes": 2},
                "quarantine_reasons": {}, "config": {}}
    return manifest, comments, themes, pain, kpis, kpis.copy(), cfg


class _Page(HTMLParser):
    """Visible text (text nodes, titles) and every <script> element with its attributes and content."""

    def __init__(self):
        super().__init__()
        self.texts, self.scripts, self._script = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._script = {"attrs": attrs, "text": ""}
        if attrs.get("title"):
            self.texts.append(attrs["title"])

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data
        elif tag_text := data.strip():
            self.texts.append(tag_text)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _page_data(page: _Page) -> dict:
    return json.loads(next(s["text"] for s in page.scripts if s["attrs"].get("id") == "report-data"))


def _english_fragments(lang: str) -> list[str]:
    """The fixed parts of each English string that `lang` words differently (placeholders cut out), less those
    that are words of `lang` too (German "negative Kommentare")."""
    own = "\n".join(v for value in STRINGS[lang].values() for v in (value if isinstance(value, list) else [value]))
    out = []
    for key, en in EN.items():
        ours = STRINGS[lang][key]
        for en_text, text in zip(en, ours) if isinstance(en, list) else [(en, ours)]:
            if en_text == text:
                continue
            for literal, *_ in string.Formatter().parse(en_text):
                literal = literal.strip(" :;·.,()")
                if (len(literal) >= 3 and re.search(r"[A-Za-z]{3}", literal)
                        and not re.search(rf"(?<!\w){re.escape(literal)}(?!\w)", own)):
                    out.append(literal)
    return out


@pytest.mark.parametrize("lang", SUPPORTED_LANGS)
def test_report_renders_in_each_language(tables, lang):
    html = render_report(*tables, lang)
    page = _parse(html)
    text = "\n".join(page.texts)
    t = STRINGS[lang]
    assert f'<html lang="{lang}">' in html
    for key in ("title", "summary", "pain_points", "all_themes", "method", "filters", "read_comments", "why_link",
                "unthemed", "unthemed_count", "filter_note", "comment_text", "close"):
        assert t[key] in text, key
    assert t["why_negative"].format(neg=4, n=5) in text  # theme 1: 4 of its 5 comments are negative
    assert _page_data(page)["strings"]["comments_shown"] == t["comments_shown"]
    charts = {s["attrs"]["id"]: json.loads(s["text"]) for s in page.scripts if s["attrs"].get("id", "").startswith("chart-")}
    assert charts["chart-sentiment-pillar"]["layout"]["title"]["text"] == t["chart_sentiment_pillar"]
    assert charts["chart-sentiment-pillar"]["layout"]["separators"] == {"en": ".,", "ru": ",\u202f"}.get(lang, ",.")
    assert [trace["name"] for trace in charts["chart-sentiment-pillar"]["data"]] == [t["negative"], t["neutral"], t["positive"]]
    if lang != "en":
        leaks = [f for f in _english_fragments(lang) if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
        assert leaks == [], f"English left in the {lang} report"


def test_report_language_check_catches_english(tables):
    # the check above can fail: an English report read as a Russian one is full of leaks
    text = "\n".join(_parse(render_report(*tables, "en")).texts)
    assert [f for f in _english_fragments("ru") if f in text]


def test_report_comment_text_stays_text(tables, hostile):
    manifest, comments, themes, pain, kpis, history, cfg = tables
    themes.loc[themes["theme_id"] == 2, "label"] = '<b onmouseover="window.__pwned = 3">shop</b>'
    html = render_report(manifest, comments, themes, pain, kpis, history, cfg, "ru")
    assert hostile not in html and "<script>window" not in html and "<b onmouseover" not in html
    page = _parse(html)
    # the parser sees exactly the script elements the report writes: no comment text opened or closed one
    ids = [s["attrs"].get("id") for s in page.scripts]
    assert ids.count(None) == 2 and "report-data" in ids and all(i is None or i.startswith(("chart-", "report-data"))
                                                                  for i in ids)
    rows = _page_data(page)["comments"]["themes"]["1"]["rows"]
    assert hostile in [r[-1] for r in rows]  # JSON.parse gives the text back as it was
    assert any(hostile.split("&")[0] in t for t in page.texts)  # the quote on the card: shown as text
    assert '<b onmouseover="window.__pwned = 3">shop</b>' in page.texts  # the label, also as text


def test_report_counts_and_comments_for_the_filters(tables):
    html = render_report(*tables, "de", comments_per_theme=4)
    page = _parse(html)
    data = _page_data(page)
    counts = data["counts"]
    assert counts["columns"][:5] == ["theme_id", "audience", "pillar", "lang", "channel"]
    n = counts["columns"].index("n")
    per_theme = {}
    for row in counts["rows"]:
        per_theme[row[0]] = per_theme.get(row[0], 0) + row[n]
    assert per_theme == {1: 5, 2: 3, -1: 1}
    employee = sum(r[n] for r in counts["rows"] if r[1] == "employee")
    assert employee == 2
    one = data["comments"]["themes"]["1"]
    assert one["total"] == 5 and len(one["rows"]) == 4 and data["cap"] == 4
    ids = [r[0] for r in one["rows"]]
    # capped: one of each filter combination first (c3 is the theme's only web/UX comment), then shown most negative first
    assert ids == ["c1", "e1", "c2", "c3"]
    assert data["comments"]["themes"]["-1"]["rows"][0][2] == "unknown" and data["labels"]["-1"] == STRINGS["de"]["unthemed"]
    selects = re.findall(r'<select data-filter="(\w+)">', html)
    assert selects == ["audience", "pillar", "lang", "channel"]
    assert f'<option value="unknown">{STRINGS["de"]["unknown"]}</option>' in html


def _numbers(text: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r"\d+", text))


@pytest.mark.parametrize("lang", ["nl", "de", "ru"])
def test_report_why_line_in_the_report_language(tables, lang):
    manifest, comments, themes, pain, kpis, history, cfg = tables
    html = render_report(*tables, lang)
    lines = re.findall(r'<p class="why small"><b>[^<]*</b> (.*?)</p>', html)
    table_lines = pain.sort_values("shared_rank")["why"].tolist()
    assert len(lines) == len(table_lines) == 2
    for ours, theirs in zip(lines, table_lines):
        assert _numbers(ours) == _numbers(theirs)  # the same facts as the table's line
        assert "comments negative" not in ours and "pillars" not in ours
    assert STRINGS[lang]["why_link"] in lines[0] and STRINGS[lang]["why_link"] not in lines[1]
    # a table without the columns the line is made of keeps its own line
    older = render_report(manifest, comments, themes, pain.drop(columns="channels"), kpis, history, cfg, lang)
    assert re.findall(r'<p class="why small"><b>[^<]*</b> (.*?)</p>', older) == table_lines


def test_report_why_line_english_is_the_tables(tables):
    html = render_report(*tables, "en")
    assert re.findall(r'<p class="why small"><b>[^<]*</b> (.*?)</p>', html) == tables[3]["why"].tolist()


def test_report_marks_incoherent_themes_when_the_column_is_there(tables):
    manifest, comments, themes, pain, kpis, history, cfg = tables
    before = render_report(*tables, "ru")
    assert 'class="pill warn"' not in before  # no `coherent` column: nothing marked
    themes = themes.assign(coherent=themes["theme_id"].map({1: True, 2: False, -1: None}),
                           coherence=themes["theme_id"].map({1: 0.61, 2: 0.12, -1: None}))
    after = render_report(manifest, comments, themes, pain, kpis, history, cfg, "ru")
    marks = re.findall(r'<span class="pill warn" title="([^"]*)">([^<]*)</span>', after)
    t = STRINGS["ru"]
    assert marks == [(t["coherence"].format(value="0,12"), t["incoherent"])] * 2  # its card and its row


def test_report_unthemed_bucket_is_not_in_any_theme(tables):
    html = render_report(*tables, "nl")
    t = STRINGS["nl"]
    row = re.search(r'<tr data-theme="-1" class="unthemed">.*?</tr>', html, flags=re.S).group(0)
    assert f">{t['unthemed']}</button>" in row
    assert not [text for text in _parse(html).texts if "outliers" in text]  # the theme table's own label for -1
    assert f'<div class="card">{t["unthemed_count"]}<b>1</b></div>' in html


def test_report_language_without_strings_is_english(tables, caplog):
    html = render_report(*tables, "fr")
    assert '<html lang="en">' in html and STRINGS["en"]["title"] in html
    assert "has no strings" in caplog.text
