"""Units the theme stage clusters: whole comments (default) or their sentences.

A comment that mixes two pain points can feed two themes when clustered by sentence; on the
sample, whole comments cluster better (README, "Themes"), so `cluster.unit = "comment"` is the
default. Sentences come from `sentences.SentenceSplitter` (the same splitter as sentence-level
sentiment); fragments shorter than `min_chars` ("Thanks!", "Top.") carry no theme of their own
and are joined to the unit before them.
"""
from __future__ import annotations

import logging

import pandas as pd

from txnlp import vocab as V
from txnlp.text.sentences import SentenceSplitter

log = logging.getLogger(__name__)

UNIT_ROW = "row"
UNIT_INDEX = "unit"


def join_short(parts: list[str], min_chars: int) -> list[str]:
    merged: list[str] = []
    for part in parts:
        if merged and (len(part) < min_chars or len(merged[-1]) < min_chars):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


class SentenceUnits:
    """Frame of comments -> frame of units (`row`, `unit`, `id`, `lang`, `text`), one per sentence.

    Args:
        min_chars: shorter fragments are joined to a neighbour.
        max_units: at most this many units per comment (the rest is joined to the last one).
    """

    name = "sentences"

    def __init__(self, min_chars: int, max_units: int = 8):
        self.min_chars = min_chars
        self.max_units = max_units

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        splitter = SentenceSplitter(max_sentences=self.max_units)
        rows = []
        for row, (cid, lang, text) in enumerate(zip(frame[V.ID], frame[V.LANG], frame[V.TEXT])):
            parts = join_short(splitter.split(str(text), str(lang)), self.min_chars) or [str(text)]
            rows.extend((row, k, cid, lang, p) for k, p in enumerate(parts))
        units = pd.DataFrame(rows, columns=[UNIT_ROW, UNIT_INDEX, V.ID, V.LANG, V.TEXT])
        log.info("theme units: %d comments -> %d sentences", len(frame), len(units))
        return units


class CommentUnits:
    """The no-op splitter: one unit per comment (clustering on whole comments)."""

    name = "comments"

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        n = len(frame)
        return pd.DataFrame({UNIT_ROW: range(n), UNIT_INDEX: [0] * n, V.ID: frame[V.ID].to_numpy(),
                             V.LANG: frame[V.LANG].to_numpy(), V.TEXT: frame[V.TEXT].to_numpy()})
