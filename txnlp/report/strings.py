"""Words and number formats of report.html, per report language.

English is complete; another language lists only the strings it translates and falls back to English
for the rest, so adding nl/de/ru is adding a dict here, not touching the template.
"""
from __future__ import annotations

import math
from collections import ChainMap

EN = {
    "title": "Total Experience feedback report",
    "run": "Run", "created": "created", "version": "txnlp",
    "contents": "Contents",
    "summary": "Run summary", "rows_in": "rows in", "rows_out": "comments processed",
    "rows_quarantined": "rows quarantined", "themes": "themes",
    "quarantine_reasons": "Quarantine reasons", "reason": "Reason", "rows": "Rows", "no_quarantine": "No rows quarantined.",
    "inputs": "Inputs", "file": "File", "models": "Models used", "redactions": "Redactions",
    "kpi_pillar": "KPIs per TX pillar", "kpi_other": "KPIs per silo, channel and language",
    "kpi_trend": "Trend over past nights", "one_night": "Only one night in the history so far: the lines grow with every nightly run.",
    "pillar": "Pillar", "audience": "Silo", "channel": "Channel", "language": "Language", "theme": "Theme",
    "volume": "Comments", "share_negative": "Negative", "share_neutral": "Neutral", "share_positive": "Positive",
    "net_sentiment": "Net sentiment", "mean_sentiment": "Mean score", "nps": "NPS", "csat": "CSAT",
    "small_n": "small sample (n below {min_n}): read with care",
    "negative": "negative", "neutral": "neutral", "positive": "positive",
    "chart_sentiment_pillar": "Sentiment per pillar", "chart_trend_net": "Net sentiment per pillar (points)",
    "chart_trend_nps": "NPS per pillar", "chart_silos": "Negative comments per silo",
    "pain_points": "Shared pain points", "pain_points_intro": "Ranked by negative volume times spread over silos, pillars, channels and languages. Quotes are the most negative comments of each silo, side by side.",
    "shared_flag": "shared by several silos", "single_flag": "one silo",
    "negative_of": "{neg} negative of {n}", "score": "score", "size": "Size",
    "ex_cx": "Where employees and customers meet (EX to CX)",
    "ex_cx_intro": "Themes with at least {n} negative comments from employees and {n} from customers: what staff struggle with, next to what customers feel.",
    "employees": "Employees", "customers": "Customers", "no_ex_cx": "No theme has at least {n} negative comments from both employees and customers in this run.",
    "emerging": "Emerging themes", "no_emerging": "No theme is flagged as emerging in this run.",
    "all_themes": "All themes", "all_themes_intro": "Click a column header to sort. Keywords are computed per language.",
    "rank": "Rank", "keywords": "Keywords per language", "silos": "Silos", "languages": "Languages",
    "nine_plus": "The 9+ view: exceptional experiences", "nine_plus_intro": "What promoters (score 9-10) talk about, next to what detractors (0-6) talk about. Share = part of all promoters (or detractors) whose comment is in the theme.",
    "promoters": "Promoters (9-10)", "detractors": "Detractors (0-6)", "share": "Share", "quote": "Quote",
    "no_scores": "No row carries a 0-10 score in this run.",
    "method": "Method notes",
    "method_items": [
        "Text is redacted (e-mail, phone, IBAN, card, URL, introduced names) before it is embedded or stored; quotes here are redacted text.",
        "Sentiment per comment comes from a linear head on multilingual sentence embeddings. Score = P(positive) − P(negative), from −1 to 1; the mean score is its average.",
        "Negative / neutral / positive: the share of a group's comments with that label. Net sentiment = % positive − % negative, in points.",
        "NPS = % promoters (9-10) − % detractors (0-6) among comments scored on the 0-10 scale, from −100 to 100. CSAT = % of comments scored 4-5 among those scored on the 1-5 scale. A row's scale comes from its score_scale column, else the configured scale for its source or silo, else the default (report.default_score_scale); scores outside the scale count as missing.",
        "n is the number of comments a figure is computed on. Figures with n below {min_n} are greyed and marked, never hidden.",
        "Themes are clusters of the embeddings across languages and silos; keywords are class-based TF-IDF per language. Outliers joined no theme of the minimum size.",
        "Shared pain point score = negative comments × (1 + spread over silos, pillars, channels and languages, weighted).",
        "Trends read kpi_history.parquet: one set of rows per night, a rerun of a night replaces it.",
    ],
    "generated": "Generated from the run's output files; rebuild with `txnlp report --run DIR`.",
}

STRINGS: dict[str, dict] = {"en": EN}

# decimal mark, thousands separator
NUMBER_FORMATS = {"en": (".", ","), "nl": (",", "."), "de": (",", "."), "ru": (",", "\u202f")}


class Strings(ChainMap):
    """Words by key, also readable as attributes (`t.title`) in code and templates."""

    def __getattr__(self, key: str):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def strings_for(lang: str) -> Strings:
    """The report's words in `lang`, English where a word is not translated yet."""
    return Strings(STRINGS.get(lang, {}), EN)


class NumberFormat:
    """Numbers for humans in the report language: 1,234 · 43% · +12 · −0.21."""

    def __init__(self, lang: str = "en"):
        self.decimal, self.thousands = NUMBER_FORMATS.get(lang, NUMBER_FORMATS["en"])

    def _swap(self, text: str) -> str:
        return text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.thousands)

    def number(self, value, digits: int = 0, signed: bool = False) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        text = self._swap(f"{value:{'+' if signed else ''},.{digits}f}")
        return text.replace("-", "\u2212")

    def percent(self, share, digits: int = 0) -> str:
        return "–" if share is None else self.number(100 * share, digits) + "%"

    def points(self, share) -> str:
        return "–" if share is None else self.number(100 * share, 0, signed=True)
