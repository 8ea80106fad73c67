"""Describe each theme: keywords per language (class-based TF-IDF over lemmas), a readable label, quotes.

Keywords are computed per language so a label never mixes Dutch and Russian stop words, the
problem BERTopic's default keywords have on multilingual data. Words are lemmatised with
simplemma (offline lookup tables for nl/de/ru/en), so "facturen"/"factuur" or "приложения"/"приложение"
count as one keyword; spaCy's stop words are removed before and after lemmatising.
"""

from __future__ import annotations

import importlib
import json
import re
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd

from txnlp import vocab as V

_TOKEN = r"(?u)\b[^\W\d_][^\W\d_'-]{2,}\b"
_PLACEHOLDER_WORDS = {"email", "url", "iban", "card", "phone", "name"}


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for `lang` (empty for languages spaCy has none for)."""
    try:
        module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    except ImportError:
        return frozenset(_PLACEHOLDER_WORDS)
    return frozenset(w.casefold() for w in module.STOP_WORDS) | _PLACEHOLDER_WORDS


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """The word's lemma (simplemma lookup; the casefolded word itself where simplemma has none)."""
    word = word.casefold()
    if lang not in {"nl", "de", "ru", "en"}:
        return word
    try:
        import simplemma
    except ImportError:  # optional: keywords then count inflected forms apart
        return word
    return simplemma.lemmatize(word, lang=lang).casefold()


def lemma_tokens(text: str, lang: str) -> list[str]:
    """Lemmas of the content words of `text` (stop words dropped before and after lemmatising)."""
    stops = stop_words(lang)
    out = []
    for word in re.findall(_TOKEN, text.casefold()):
        if word in stops:
            continue
        lem = lemma(word, lang)
        if lem not in stops and len(lem) > 2:
            out.append(lem)
    return out


def class_tfidf_keywords(docs_by_class: dict[int, list[str]], lang: str, n: int) -> dict[int, list[str]]:
    """Top-n lemmas per class by c-TF-IDF: tf within the class x log(1 + mean class size / word frequency)."""
    from sklearn.feature_extraction.text import CountVectorizer

    classes = [c for c, docs in docs_by_class.items() if docs]
    if not classes:
        return {}
    joined = [" ".join(docs_by_class[c]) for c in classes]
    vectorizer = CountVectorizer(analyzer=lambda doc: lemma_tokens(doc, lang))
    try:
        counts = vectorizer.fit_transform(joined).toarray().astype(float)
    except ValueError:  # only stop words
        return {c: [] for c in classes}
    words = np.asarray(vectorizer.get_feature_names_out())
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1))
    scores = tf * idf
    out = {}
    for row, c in enumerate(classes):
        order = np.argsort(-scores[row], kind="stable")
        out[c] = [words[i] for i in order[:n] if scores[row, i] > 0]
    return out


def describe_themes(frame: pd.DataFrame, embeddings: np.ndarray, labels: np.ndarray, *,
                    report_language: str, n_keywords: int, n_quotes: int,
                    label_words: int, renames: dict[int, str] | None = None,
                    label_terms: Callable[[dict[int, np.ndarray]], dict[int, list[str]]] | None = None) -> pd.DataFrame:
    """One row per theme (outliers included as theme -1): keywords per language, label, quotes.

    Label, first that exists: an analyst's rename (`renames`); the theme's own top report-language
    keywords; report-language words retrieved across languages by `label_terms(centroids)` (marked
    "~"); the nearest theme's label (marked "~"); the dominant language's keywords with its code.
    `label_source` says which one was used.
    """
    renames = renames or {}
    theme_ids = sorted(set(int(x) for x in labels))
    langs = sorted(set(frame[V.LANG]))
    keywords: dict[int, dict[str, list[str]]] = {t: {} for t in theme_ids}
    for lang in langs:
        mask = (frame[V.LANG] == lang).to_numpy()
        docs = {t: frame.loc[mask & (labels == t), V.TEXT].tolist() for t in theme_ids if t != V.OUTLIER_THEME}
        for t, words in class_tfidf_keywords(docs, lang, n_keywords).items():
            if words:
                keywords[t][lang] = words
    centroids = {t: embeddings[labels == t].mean(axis=0) for t in theme_ids}
    own_label = {t: " / ".join(keywords[t].get(report_language, [])[:label_words]) for t in theme_ids}
    missing = {t: centroids[t] for t in theme_ids if t != V.OUTLIER_THEME and not own_label[t] and t not in renames}
    retrieved = label_terms(missing) if (label_terms is not None and missing) else {}
    rows = []
    for t in theme_ids:
        idx = np.flatnonzero(labels == t)
        centre = centroids[t] / max(np.linalg.norm(centroids[t]), 1e-12)
        nearest = idx[np.argsort(-(embeddings[idx] @ centre), kind="stable")[:n_quotes]]
        quotes = [{"id": frame[V.ID].iat[i], "lang": frame[V.LANG].iat[i], "text": frame[V.TEXT].iat[i]} for i in nearest]
        if t == V.OUTLIER_THEME:
            label, source = "outliers (no theme)", "outlier"
        elif t in renames:
            label, source = renames[t], "edit"
        elif own_label[t]:
            label, source = own_label[t], "keywords"
        elif retrieved.get(t):
            label, source = "~ " + " / ".join(retrieved[t][:label_words]), "cross-lingual"
        else:
            label = _borrowed_label(t, centroids, own_label)
            source = "nearest-theme" if label else "other-language"
            label = label or _dominant_label(keywords[t], label_words)
        rows.append({V.THEME_ID: t, "label": label, "label_source": source,
                     "keywords": json.dumps(keywords[t], ensure_ascii=False),
                     "quotes": json.dumps(quotes, ensure_ascii=False)})
    return pd.DataFrame(rows)


def _borrowed_label(theme: int, centroids: dict[int, np.ndarray], own_label: dict[int, str]) -> str:
    candidates = [t for t, lab in own_label.items() if lab and t != theme and t != V.OUTLIER_THEME]
    if not candidates:
        return ""
    sims = [float(centroids[theme] @ centroids[t]) for t in candidates]
    return "~ " + own_label[candidates[int(np.argmax(sims))]]


def _dominant_label(keywords: dict[str, list[str]], n: int) -> str:
    if not keywords:
        return "(no keywords)"
    lang, words = max(keywords.items(), key=lambda kv: len(kv[1]))
    return f"{' / '.join(words[:n])} [{lang}]"


def candidate_terms(texts: list[str], lang: str, max_terms: int = 400, min_count: int = 2) -> list[str]:
    """The most frequent content lemmas of `texts` (in `lang`): the vocabulary a cross-lingual label is drawn from."""
    from collections import Counter

    counts = Counter(w for t in texts for w in set(lemma_tokens(t, lang)))
    return [w for w, c in counts.most_common(max_terms) if c >= min_count]


class CrossLingualLabeller:
    """Report-language words for a theme that has no comment in the report language.

    Offline, no translation model: the run's own report-language vocabulary (`terms`) is embedded
    with the same embedder(s) and centred with the report language's mean, like the comments, so a
    word and a Russian theme meet in the language-neutral space; each theme takes the words most
    similar to its centroid minus their mean similarity to all other centroids (so generic words
    like "service" do not label everything).

    Args:
        encode: texts -> centred, normalised vectors in the clustering space.
        terms: candidate words in the report language.
        all_centroids: every theme's centroid, for the distinctiveness correction.
    """

    def __init__(self, encode: Callable[[list[str]], np.ndarray], terms: list[str], all_centroids: np.ndarray,
                 n: int):
        self.encode = encode
        self.terms = terms
        self.all_centroids = all_centroids
        self.n = n

    def __call__(self, centroids: dict[int, np.ndarray]) -> dict[int, list[str]]:
        if not self.terms or not centroids:
            return {}
        vecs = self.encode(self.terms)
        unit = lambda m: m / np.maximum(np.linalg.norm(m, axis=-1, keepdims=True), 1e-12)  # noqa: E731
        background = (vecs @ unit(self.all_centroids).T).mean(axis=1) if len(self.all_centroids) else 0.0
        out = {}
        for t, c in centroids.items():
            score = vecs @ unit(c) - background
            out[t] = [self.terms[i] for i in np.argsort(-score, kind="stable")[: self.n]]
        return out
