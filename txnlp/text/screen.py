"""Row-level checks before any model sees a row: each failing row becomes a quarantine entry with a reason."""
from __future__ import annotations

import logging

import pandas as pd

from txnlp import vocab as V

log = logging.getLogger(__name__)

def row_problem(text: str | None, max_chars: int) -> str | None:
    """The reason a text can't be processed, or None when it can."""
    if not isinstance(text, str):
        return "missing text"
    if "\x00" in text:
        return "NUL byte in text"
    if not text.strip():
        return "empty text"
    if len(text) > max_chars:
        return f"text too long ({len(text)} chars > max_text_chars={max_chars})"
    return None


def screen(frame: pd.DataFrame, *, max_text_chars: int) -> tuple[pd.DataFrame, list[dict]]:
    """Split rows into (processable frame, quarantine entries). Repeated ids keep their first row."""
    reasons = frame[V.TEXT].map(lambda t: row_problem(t, max_text_chars))
    dup = frame[V.ID].duplicated(keep="first")
    reasons = reasons.where(reasons.notna() | ~dup, "duplicate id (already read in this run)")
    bad = reasons.notna()
    quarantine = [
        {V.ID: r[V.ID], V.SOURCE: r[V.SOURCE], V.INPUT_FILE: r[V.INPUT_FILE], V.INPUT_ROW: r[V.INPUT_ROW],
         V.REASON: reason}
        for r, reason in zip(frame.loc[bad].to_dict("records"), reasons[bad])
    ]
    if quarantine:
        log.info("screen: %d rows quarantined", len(quarantine))
    return frame.loc[~bad].reset_index(drop=True), quarantine
