"""Names shared by every stage: languages, pillars, sentiment labels and column names.

This is the only home for such constants, so a renamed column is changed in one place.
"""
from __future__ import annotations

from enum import Enum


class Lang(str, Enum):
    NL = "nl"
    DE = "de"
    RU = "ru"
    EN = "en"
    UND = "und"


SUPPORTED_LANGS: tuple[str, ...] = ("nl", "de", "ru", "en")


class Pillar(str, Enum):
    CX = "CX"
    EX = "EX"
    UX = "UX"
    MX = "MX"


PILLARS: tuple[str, ...] = tuple(p.value for p in Pillar)


class Sentiment(str, Enum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


SENTIMENTS: tuple[str, ...] = tuple(s.value for s in Sentiment)

# --- input columns --------------------------------------------------------
ID = "id"
TEXT = "text"
SOURCE = "source"
AUDIENCE = "audience"
CHANNEL = "channel"
CREATED_AT = "created_at"
SCORE = "score"
LANG = "lang"
KNOWN_INPUT_COLUMNS: tuple[str, ...] = (ID, TEXT, AUDIENCE, CHANNEL, CREATED_AT, SCORE, LANG, SOURCE)
# Staging-internal: the row had a score that is not a number (counted, then dropped before the text stages).
SCORE_UNPARSED = "_score_unparsed"

# --- columns added by stages ------------------------------------------------
# A `created_at` value that is not an ISO date or timestamp, as given (the column itself is then empty).
CREATED_AT_RAW = "created_at_raw"
INPUT_FILE = "input_file"
INPUT_ROW = "input_row"
# Columns txnlp fills itself when it reads a row; every other column of a row is passthrough.
OWN_COLUMNS: tuple[str, ...] = (*KNOWN_INPUT_COLUMNS, INPUT_FILE, INPUT_ROW)
IS_DUPLICATE = "is_duplicate"
LANG_CONFIDENCE = "lang_confidence"
SENTIMENT = "sentiment"
SENTIMENT_SCORE = "sentiment_score"
PILLAR = "pillar"
PILLAR_SCORE_COLUMNS: dict[str, str] = {p: f"score_{p.lower()}" for p in PILLARS}
MIXED = "mixed"
THEME_ID = "theme_id"
THEME_LABEL = "theme_label"
REASON = "reason"
REDACTION_PREFIX = "redacted_"

OUTLIER_THEME = -1
UNKNOWN = "unknown"

# Column order of comments.* (the output contract); passthrough columns follow.
COMMENT_COLUMNS: tuple[str, ...] = (
    ID, SOURCE, AUDIENCE, CHANNEL, CREATED_AT, LANG, LANG_CONFIDENCE, TEXT,
    SENTIMENT, SENTIMENT_SCORE, MIXED, PILLAR, *PILLAR_SCORE_COLUMNS.values(), THEME_ID, THEME_LABEL,
)
# sentences.* : one row per sentence (or contrastive clause) of a comment.
COMMENT_ID = "comment_id"
SENTENCE_IDX = "idx"
SENTENCE_COLUMNS: tuple[str, ...] = (COMMENT_ID, SENTENCE_IDX, TEXT, SENTIMENT, SENTIMENT_SCORE, PILLAR)
THEME_COLUMNS: tuple[str, ...] = (
    "theme_id", "label", "size", "share_negative", "mean_sentiment", "audiences", "pillars",
    "languages", "channels", "keywords", "quotes", "shared_rank", "shared_score",
    "label_source", "first_seen", "last_seen", "trend", "emerging", "ignored", "coherence", "coherent",
)
QUARANTINE_COLUMNS: tuple[str, ...] = (ID, SOURCE, INPUT_FILE, INPUT_ROW, REASON)

# --- KPIs (kpis.* and the kpi_history/ partitions, long format) ------------------------
SCORE_SCALE = "score_scale"
SCORE_SCALES: tuple[str, ...] = ("nps", "csat", "none")
KPI_DIMENSIONS: tuple[str, ...] = ("all", "pillar", "theme", "audience", "channel", "language")
KPI_COLUMNS: tuple[str, ...] = (
    "run_date", "run_id", "dimension", "value", "label", "metric", "figure", "unit", "n", "small_n",
)
