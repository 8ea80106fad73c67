"""Language per row: nl, de, ru, en, or `und` when the text can't be placed.

The detector also knows a few "decoy" languages: a Spanish comment is then `und` instead of
being forced into English. `und` rows still flow through the multilingual models.
"""
from __future__ import annotations

import logging
from typing import Protocol

import pandas as pd

from txnlp import vocab as V

log = logging.getLogger(__name__)


class LanguageDetector(Protocol):
    def detect(self, texts: list[str]) -> list[tuple[str, float]]: ...


class LinguaDetector:
    """lingua-language-detector restricted to our languages plus decoys.

    No defaults here: `language.languages` and `language.decoys` in the config are the one source.
    """

    def __init__(self, languages, decoys):
        self.languages = tuple(languages)
        self.decoys = tuple(decoys)
        self._detector = None

    def _build(self):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [IsoCode639_1.from_str(c) for c in (*self.languages, *self.decoys)]
        return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def detect(self, texts: list[str]) -> list[tuple[str, float]]:
        if self._detector is None:
            self._detector = self._build()
        results = self._detector.compute_language_confidence_values_in_parallel(texts)
        out = []
        for values in results:
            if not values:
                out.append((V.Lang.UND.value, 0.0))
                continue
            top = values[0]
            out.append((top.language.iso_code_639_1.name.lower(), float(top.value)))
        return out


def letter_count(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


class LanguageTagger:
    """Pipeline stage: adds `lang` and `lang_confidence`.

    A valid `lang` given in the input wins (confidence 1.0) when `trust_input` is set.
    Below `min_confidence`, with fewer than `min_letters` letters, or in a decoy language: `und`.
    Every argument is explicit: the `language` section of the config holds the defaults.
    """

    name = "language"

    def __init__(self, detector: LanguageDetector, *, languages, min_confidence: float, min_letters: int,
                 trust_input: bool):
        self.detector = detector
        self.languages = tuple(languages)
        self.min_confidence = min_confidence
        self.min_letters = min_letters
        self.trust_input = trust_input

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        given = out[V.LANG].fillna("").astype(str).str.strip().str.lower() if V.LANG in out else pd.Series("", index=out.index)
        trusted = given.isin(self.languages) if self.trust_input else pd.Series(False, index=out.index)
        texts = out[V.TEXT].tolist()
        to_detect = [i for i in range(len(out)) if not trusted.iloc[i] and letter_count(texts[i]) >= self.min_letters]
        langs = [V.Lang.UND.value] * len(out)
        conf = [0.0] * len(out)
        for i in range(len(out)):
            if trusted.iloc[i]:
                langs[i], conf[i] = given.iloc[i], 1.0
        if to_detect:
            for i, (lang, c) in zip(to_detect, self.detector.detect([texts[i] for i in to_detect])):
                conf[i] = round(c, 4)
                if lang in self.languages and c >= self.min_confidence:
                    langs[i] = lang
        out[V.LANG] = langs
        out[V.LANG_CONFIDENCE] = conf
        log.info("language: %s", out[V.LANG].value_counts().to_dict())
        return out
