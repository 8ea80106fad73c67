"""Text normalisation: mojibake repair, HTML stripped, NFC, whitespace; exact duplicates marked.

NFC before language detection and redaction: look-alike code points fool both.
"""
from __future__ import annotations

import html
import re
import unicodedata

import ftfy
import pandas as pd

from txnlp import vocab as V

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
_BREAK_TAG = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)
_SPACE = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalise_text(text: str) -> str:
    """One text, idempotent: normalise_text(normalise_text(t)) == normalise_text(t).

    Removing invisible characters can expose new mojibake to ftfy ("À\u200e\x86"), so the pass
    is repeated until nothing changes (in practice once more, at most three times).
    """
    for _ in range(3):
        fixed = _normalise_once(text)
        if fixed == text:
            break
        text = fixed
    return text


def _normalise_once(text: str) -> str:
    text = _CONTROL.sub("", text)
    text = ftfy.fix_text(text, normalization="NFC")
    text = _BREAK_TAG.sub("\n", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _SPACE.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()


def duplicate_key(text: str) -> str:
    return " ".join(text.casefold().split())


class Normaliser:
    """Pipeline stage: rewrites `text` to its normalised form and adds `is_duplicate`.

    A duplicate is the same normalised text (case-insensitive) seen earlier in the same run;
    it is kept and marked, so analysts can still count it.
    """

    name = "normalise"

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out[V.TEXT] = out[V.TEXT].map(normalise_text)
        out[V.IS_DUPLICATE] = out[V.TEXT].map(duplicate_key).duplicated(keep="first")
        return out
