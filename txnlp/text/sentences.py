"""Sentence-level sentiment and pillar: split each comment, classify each sentence, flag mixed comments.

"The staff were lovely but the app kept crashing" must count for friendly staff *and* for the
crashing app, so sentences are also cut at a contrastive conjunction ("but", "maar", "aber", "но")
that joins two clauses. Splitting is spaCy's rule-based sentencizer on a blank pipeline per
language (no model download), after line breaks and bullets.

Long texts: the comment embedding reads at most `embed.max_seq_length` tokens (truncated by
choice). A comment with more than `long_text_chars` characters is therefore scored as the
length-weighted mean of its sentences' probabilities, so the part past the truncation counts.
A comment is split into at most `max_sentences` units; the rest is merged into the last one
(which the embedder then truncates), and the number of such comments is logged.
"""
from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from txnlp import vocab as V
from txnlp.classify._base import check_embeddings

log = logging.getLogger(__name__)

# Adversative conjunctions that start a new clause with its own polarity (lower case, per language).
# Concessive ones ("although", "obwohl", "хотя") are left out on purpose: their clause usually shares
# the sentence's polarity ("he helped me, although it isn't his job"), so a cut there invents mixed comments.
CONTRAST_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("but", "however"),
    "nl": ("maar", "echter"),
    "de": ("aber", "jedoch", "allerdings"),
    "ru": ("но", "однако", "зато", "а вот"),
}
_LINE_BREAKS = re.compile(r"\s*(?:\r?\n|\u2022|(?:^|\s)[-*]\s)+\s*")
_MIN_CLAUSE_CHARS = 8


def _contrast_pattern(lang: str) -> re.Pattern | None:
    words = CONTRAST_WORDS.get(lang) or tuple(w for ws in CONTRAST_WORDS.values() for w in ws)
    return re.compile(r"(?:,|;|\s)\s*(?=(?:" + "|".join(map(re.escape, words)) + r")\b)", re.IGNORECASE)


def mixed_flags(rows: np.ndarray, p_positive: np.ndarray, p_negative: np.ndarray, n_comments: int,
                threshold: float) -> np.ndarray:
    """Per comment: one of its sentences is clearly positive and another clearly negative (P >= threshold)."""
    has_pos = np.zeros(n_comments, bool)
    has_neg = np.zeros(n_comments, bool)
    np.logical_or.at(has_pos, rows, p_positive >= threshold)
    np.logical_or.at(has_neg, rows, p_negative >= threshold)
    return has_pos & has_neg


def _strip(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    """The span [start, end) without `chars` at either end."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


class SentenceSplitter:
    """Split texts into sentences (and contrastive clauses) per language.

    Args:
        split_contrast: also cut before "but"/"maar"/"aber"/"но" when both sides are real clauses.
        max_sentences: units per comment; the remainder is merged into the last unit.
    """

    def __init__(self, split_contrast: bool = True, max_sentences: int = 40):
        self.split_contrast = split_contrast
        self.max_sentences = max_sentences
        self._nlp: dict[str, object] = {}

    def _pipeline(self, lang: str):
        key = lang if lang in V.SUPPORTED_LANGS else "xx"
        if key not in self._nlp:
            import spacy

            nlp = spacy.blank(key)
            nlp.add_pipe("sentencizer")
            self._nlp[key] = nlp
        return self._nlp[key]

    def split(self, text: str, lang: str = "und") -> list[str]:
        """Sentences of one text, stripped, none empty; a text without any gives itself."""
        text = text or ""
        return [text[start:end] for start, end in self.spans(text, lang)]

    def spans(self, text: str, lang: str = "und") -> list[tuple[int, int]]:
        """Character spans (start, end) of the sentences in `text`, in order.

        Spans, not strings, so that sentence-level scores can be pooled from the comment's own token
        states (the split encoder's offset mapping) instead of encoding each sentence again.
        """
        text = text or ""
        units: list[tuple[int, int]] = []
        cursor = 0
        for sep in [*_LINE_BREAKS.finditer(text), None]:
            b0, b1 = cursor, (sep.start() if sep else len(text))
            cursor = sep.end() if sep else len(text)
            if not text[b0:b1].strip():
                continue
            for sent in self._pipeline(lang)(text[b0:b1]).sents:
                start, end = _strip(text, b0 + sent.start_char, b0 + sent.end_char, " \t\r\n")
                if end > start:
                    units.extend(self._clauses(text, start, end, lang))
        if len(units) > self.max_sentences:
            units = units[: self.max_sentences - 1] + [(units[self.max_sentences - 1][0], units[-1][1])]
        return units or [_strip(text, 0, len(text), " \t\r\n")]

    def _clauses(self, text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
        if not self.split_contrast or end - start < 2 * _MIN_CLAUSE_CHARS:
            return [(start, end)]
        cuts = [(m.start(), m.end()) for m in _contrast_pattern(lang).finditer(text, start, end)]
        bounds = [start] + [c for cut in cuts for c in cut] + [end]
        out: list[tuple[int, int]] = []
        for p0, p1 in zip(bounds[0::2], bounds[1::2]):
            p0, p1 = _strip(text, p0, p1, " ,;\t\r\n")
            if out and (p1 - p0 < _MIN_CLAUSE_CHARS or out[-1][1] - out[-1][0] < _MIN_CLAUSE_CHARS):
                out[-1] = (out[-1][0], max(out[-1][1], p1))
            elif p1 > p0:
                out.append((p0, p1))
        return out

    def split_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per sentence: `comment_id, idx, text` plus the comment's row position `_row`."""
        rows = []
        langs = frame[V.LANG] if V.LANG in frame else pd.Series(["und"] * len(frame))
        for pos, (cid, text, lang) in enumerate(zip(frame[V.ID], frame[V.TEXT], langs)):
            for idx, sentence in enumerate(self.split(str(text), str(lang))):
                rows.append((cid, idx, sentence, pos))
        return pd.DataFrame(rows, columns=[V.COMMENT_ID, V.SENTENCE_IDX, V.TEXT, "_row"])


class SentenceTagger:
    """Pipeline stage: sentence rows with sentiment and pillar, and comment-level `mixed` (+ long-text sentiment).

    Single-sentence comments reuse the comment's embedding row; only multi-sentence comments cost
    extra encoder calls (sentences are short).

    Args:
        splitter: a SentenceSplitter.
        embedder: encodes the sentences (the pipeline's shared embedder).
        sentiment: a SentimentTagger; pillar: a PillarTagger (or None to skip sentence pillars).
        mixed_threshold: a comment is mixed when one sentence has P(positive) >= this and another P(negative) >= this.
        long_text_chars: comments longer than this are scored from their sentences (see module docstring).
    """

    name = "sentences"

    def __init__(self, splitter: SentenceSplitter, embedder, sentiment, pillar=None, mixed_threshold: float = 0.6,
                 long_text_chars: int = 1000):
        self.splitter = splitter
        self.embedder = embedder
        self.sentiment = sentiment
        self.pillar = pillar
        self.mixed_threshold = mixed_threshold
        self.long_text_chars = long_text_chars

    def predict(self, frame: pd.DataFrame, embeddings: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Returns (sentences, comment columns indexed by id: `mixed`, and `sentiment*` where recomputed)."""
        embeddings = check_embeddings(embeddings, n_rows=len(frame))
        frame = frame.reset_index(drop=True)
        sents = self.splitter.split_frame(frame)
        n_units = sents.groupby("_row").size().reindex(range(len(frame)), fill_value=0).to_numpy()
        single = n_units[sents["_row"].to_numpy()] == 1
        sent_emb = np.empty((len(sents), embeddings.shape[1]), dtype=np.float32)
        sent_emb[single] = embeddings[sents.loc[single, "_row"].to_numpy()]
        if (~single).any():
            sent_emb[~single] = self.embedder.encode(sents.loc[~single, V.TEXT].tolist())
        log.info("sentences: %d comments -> %d units (%d re-encoded)", len(frame), len(sents), int((~single).sum()))
        sent_frame = pd.DataFrame({V.ID: [f"{c}#{i}" for c, i in zip(sents[V.COMMENT_ID], sents[V.SENTENCE_IDX])],
                                   V.TEXT: sents[V.TEXT].to_numpy(),
                                   V.LANG: frame[V.LANG].to_numpy()[sents["_row"]] if V.LANG in frame else "und",
                                   V.AUDIENCE: frame[V.AUDIENCE].to_numpy()[sents["_row"]] if V.AUDIENCE in frame
                                   else V.UNKNOWN})
        proba, labels, scores = self.sentiment.predict_proba_frame(sent_frame, sent_emb)
        out = sents[[V.COMMENT_ID, V.SENTENCE_IDX, V.TEXT]].copy()
        out[V.SENTIMENT] = labels
        out[V.SENTIMENT_SCORE] = scores.round(4)
        out[V.PILLAR] = (self.pillar.predict(sent_frame, sent_emb)[V.PILLAR].to_numpy() if self.pillar is not None
                         else None)
        return out.reset_index(drop=True), self._comment_columns(frame, sents, proba)

    def _comment_columns(self, frame: pd.DataFrame, sents: pd.DataFrame, proba: np.ndarray) -> pd.DataFrame:
        classes = list(self.sentiment.classifier.classes_)
        pos = proba[:, classes.index("positive")] if "positive" in classes else np.zeros(len(proba))
        neg = proba[:, classes.index("negative")] if "negative" in classes else np.zeros(len(proba))
        rows = sents["_row"].to_numpy()
        out = pd.DataFrame({V.MIXED: mixed_flags(rows, pos, neg, len(frame), self.mixed_threshold)},
                           index=frame[V.ID].values)
        lengths = frame[V.TEXT].str.len().to_numpy()
        long_rows = np.flatnonzero(lengths > self.long_text_chars)
        if len(long_rows):
            weights = sents[V.TEXT].str.len().to_numpy(dtype=float)
            agg = np.zeros((len(frame), proba.shape[1]))
            np.add.at(agg, rows, proba * weights[:, None])
            agg = agg[long_rows] / np.maximum(agg[long_rows].sum(axis=1, keepdims=True), 1e-12)
            labels = np.full(len(frame), None, dtype=object)
            scores = np.full(len(frame), np.nan)
            labels[long_rows] = np.asarray(classes, dtype=object)[agg.argmax(axis=1)]
            scores[long_rows] = self.sentiment.classifier.score_from_proba(agg).round(4)
            out[V.SENTIMENT] = labels
            out[V.SENTIMENT_SCORE] = scores
            log.info("sentences: %d long comments scored from their sentences", len(long_rows))
        return out
