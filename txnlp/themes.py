"""Describe each theme: keywords per language (class-based TF-IDF), a readable label, quotes.

Keywords are computed per language so a label never mixes Dutch and Russian stop words, the
problem BERTopic's default keywords have on multilingual data.
"""
from __future__ import annotations

import importlib
import json
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from . import vocab as V

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


def class_tfidf_keywords(docs_by_class: dict[int, list[str]], lang: str, n: int) -> dict[int, list[str]]:
    """Top-n words per class by c-TF-IDF: tf within the class x log(1 + mean class size / word frequency)."""
    from sklearn.feature_extraction.text import CountVectorizer

    classes = [c for c, docs in docs_by_class.items() if docs]
    if not classes:
        return {}
    joined = [" ".join(docs_by_class[c]) for c in classes]
    vectorizer = CountVectorizer(token_pattern=_TOKEN, lowercase=True, stop_words=sorted(stop_words(lang)) or None)
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
                    report_language: str = "en", n_keywords: int = 6, n_quotes: int = 3,
                    label_words: int = 3) -> pd.DataFrame:
    """One row per theme (outliers included as theme -1): keywords per language, label, quotes.

    Label: the top report-language keywords of the theme; a theme with no comments in the report
    language borrows them from the nearest theme (by centroid) that has some, marked with "~".
    """
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
    rows = []
    for t in theme_ids:
        idx = np.flatnonzero(labels == t)
        centre = centroids[t] / max(np.linalg.norm(centroids[t]), 1e-12)
        nearest = idx[np.argsort(-(embeddings[idx] @ centre), kind="stable")[:n_quotes]]
        quotes = [{"id": frame[V.ID].iat[i], "lang": frame[V.LANG].iat[i], "text": frame[V.TEXT].iat[i]} for i in nearest]
        if t == V.OUTLIER_THEME:
            label = "outliers (no theme)"
        elif own_label[t]:
            label = own_label[t]
        else:
            label = _borrowed_label(t, centroids, own_label) or _dominant_label(keywords[t], label_words)
        rows.append({V.THEME_ID: t, "label": label, "keywords": json.dumps(keywords[t], ensure_ascii=False),
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


