"""Split comments into sentence units, so a comment that mixes two pain points can feed two themes.

spaCy's rule-based sentencizer on `spacy.blank(lang)`: no model to download, the same rules in every
language, and punctuation-only splitting is what feedback needs (it does not split "z.B." or "т.е."
badly enough to matter). Fragments shorter than `min_chars` ("Thanks!", "Top.") carry no theme of their
own and are joined to the sentence before them.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import pandas as pd

from . import vocab as V

log = logging.getLogger(__name__)

UNIT_ROW = "row"
UNIT_INDEX = "unit"


@lru_cache(maxsize=None)
def _sentencizer(lang: str):
    import spacy

    try:
        nlp = spacy.blank(lang)
    except ImportError:
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(text: str, lang: str, min_chars: int = 20) -> list[str]:
    """Sentences of `text` (spaCy sentencizer for `lang`); fragments under `min_chars` join a neighbour."""
    lang = lang if lang in V.SUPPORTED_LANGS else "xx"
    parts = [s.text.strip() for s in _sentencizer(lang)(text).sents]
    parts = [p for p in parts if p]
    merged: list[str] = []
    for part in parts:
        if merged and (len(part) < min_chars or len(merged[-1]) < min_chars):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [text]


class SentenceSplitter:
    """Frame of comments -> frame of units (`row`, `unit`, `id`, `lang`, `text`), one per sentence.

    Args:
        min_chars: shorter fragments are joined to a neighbour.
        max_units: at most this many units per comment (the rest is joined to the last one).
    """

    name = "sentences"

    def __init__(self, min_chars: int = 20, max_units: int = 8):
        self.min_chars = min_chars
        self.max_units = max_units

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        rows = []
        for row, (cid, lang, text) in enumerate(zip(frame[V.ID], frame[V.LANG], frame[V.TEXT])):
            parts = split_sentences(str(text), str(lang), self.min_chars)
            if len(parts) > self.max_units:
                parts = [*parts[: self.max_units - 1], " ".join(parts[self.max_units - 1:])]
            rows.extend((row, k, cid, lang, p) for k, p in enumerate(parts))
        units = pd.DataFrame(rows, columns=[UNIT_ROW, UNIT_INDEX, V.ID, V.LANG, V.TEXT])
        log.info("sentences: %d comments -> %d units", len(frame), len(units))
        return units


class CommentUnits:
    """The no-op splitter: one unit per comment (clustering on whole comments)."""

    name = "comments"

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        n = len(frame)
        return pd.DataFrame({UNIT_ROW: range(n), UNIT_INDEX: [0] * n, V.ID: frame[V.ID].to_numpy(),
                             V.LANG: frame[V.LANG].to_numpy(), V.TEXT: frame[V.TEXT].to_numpy()})
