"""Describe each theme: keywords per language (class-based TF-IDF over lemmas), a phrase label, quotes.

Keywords are computed per language so a label never mixes Dutch and Russian stop words, the
problem BERTopic's default keywords have on multilingual data. Words are lemmatised with
simplemma (offline lookup tables for nl/de/ru/en), so "facturen"/"factuur" or "приложения"/"приложение"
count as one keyword; spaCy's stop words are removed before and after lemmatising.
The label is a phrase in the report language (phrases.py): keywords told an analyst little
("canteen / confidence / counter").
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
import pandas as pd

from txnlp import nested
from txnlp import vocab as V
from txnlp.themes.ids import unit_rows
from txnlp.themes.phrases import (class_tfidf, distinctiveness, label_phrases, lemma, phrase_table, stop_words,
                                  top_candidates)

__all__ = ["centre_similarity", "class_tfidf_keywords", "describe_themes", "lemma", "lemma_tokens", "stop_words"]

_TOKEN = r"(?u)\b[^\W\d_][^\W\d_'-]{2,}\b"
LABEL_SEPARATOR = " · "
CROSS_LINGUAL_MARK = "~ "


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


def centre_similarity(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's cosine to its theme's centroid: how typical of its theme a comment is.

    Quotes are picked by it (here and in pain_points.py), so the comments shown for a theme are
    what the theme is about rather than whatever in it is most negative.
    """
    rows = unit_rows(embeddings)
    out = np.zeros(len(labels), dtype=np.float32)
    for t in set(int(x) for x in labels):
        mask = labels == t
        out[mask] = rows[mask] @ unit_rows(rows[mask].mean(axis=0, keepdims=True))[0]
    return out


def describe_themes(frame: pd.DataFrame, embeddings: np.ndarray, labels: np.ndarray, *,
                    report_language: str, n_keywords: int, n_quotes: int, label_words: int, max_phrase_words: int,
                    phrase_candidates: int, label_diversity: float,
                    encode_phrases: Callable[[list[str]], np.ndarray] | None,
                    renames: dict[int, str] | None = None) -> pd.DataFrame:
    """One row per theme (outliers included as theme -1): keywords per language, label, quotes.

    Label, first that exists (`label_source` says which): an analyst's rename ("edit"); a phrase
    from the theme's own report-language comments ("phrase"); a phrase from the run's other
    report-language comments, retrieved across languages in the clustering space ("cross-lingual",
    marked "~"; needs `encode_phrases`); the nearest theme's label ("nearest-theme", marked "~");
    the dominant language's keywords with its code ("other-language"). A run without a single
    report-language comment labels each theme by a phrase of the run's main language, with its code
    ("other-language" too): a phrase an analyst can read beats a keyword list in the same language.
    A phrase label is the best phrase plus up to `label_words - 1` single words, joined by " · ".

    Args:
        embeddings: the comments in the clustering space (rows of `frame`).
        max_phrase_words: longest candidate phrase, in words.
        phrase_candidates: candidates per theme (its most frequent phrases): the phrases encoded per theme.
        label_diversity: MMR's weight on novelty against relevance for the words after the phrase (0-1).
        encode_phrases: texts -> vectors in the clustering space, as the comments (report-language centred);
            None: phrases are scored by c-TF-IDF and there is no cross-lingual route.
        renames: analyst edits, theme id -> label.
    """
    renames = renames or {}
    theme_ids = sorted(set(int(x) for x in labels))
    keywords = _keywords(frame, labels, theme_ids, n_keywords)
    centroids = {t: embeddings[labels == t].mean(axis=0) for t in theme_ids}
    themed = [t for t in theme_ids if t != V.OUTLIER_THEME]
    wanted = [t for t in themed if t not in renames]
    phrased = _phrase_labels(frame, labels, themed, wanted, centroids, lang=report_language, n=label_words,
                             max_words=max_phrase_words, n_candidates=phrase_candidates, diversity=label_diversity,
                             encode=encode_phrases) if wanted else {}
    own_label = {t: lab for t, (lab, source) in phrased.items() if source == "phrase"}
    if wanted and not own_label:  # not one report-language comment to label from: phrases in the run's language
        dominant = frame[V.LANG].value_counts().idxmax() if len(frame) else report_language
        if dominant != report_language:
            other = _phrase_labels(frame, labels, themed, [t for t in wanted if t not in phrased], centroids,
                                   lang=dominant, n=label_words, max_words=max_phrase_words,
                                   n_candidates=phrase_candidates, diversity=label_diversity, encode=encode_phrases)
            phrased.update({t: (f"{lab} [{dominant}]", "other-language")
                            for t, (lab, source) in other.items() if source == "phrase"})
    typical = centre_similarity(embeddings, labels)
    rows = []
    for t in theme_ids:
        idx = np.flatnonzero(labels == t)
        nearest = idx[np.argsort(-typical[idx], kind="stable")[:n_quotes]]
        quotes = [{"id": frame[V.ID].iat[i], "lang": frame[V.LANG].iat[i], "text": frame[V.TEXT].iat[i]} for i in nearest]
        if t == V.OUTLIER_THEME:
            label, source = "outliers (no theme)", "outlier"
        elif t in renames:
            label, source = renames[t], "edit"
        elif t in phrased:
            label, source = phrased[t]
        else:
            label = _borrowed_label(t, centroids, own_label)
            source = "nearest-theme" if label else "other-language"
            label = label or _dominant_label(keywords[t], label_words)
        rows.append({V.THEME_ID: t, "label": label, "label_source": source,
                     "keywords": nested.encode("keywords", keywords[t]), "quotes": quotes})
    return pd.DataFrame(rows)


def _keywords(frame: pd.DataFrame, labels: np.ndarray, theme_ids: list[int], n: int) -> dict[int, dict[str, list[str]]]:
    """Per theme, per language with any: its top c-TF-IDF lemmas."""
    out: dict[int, dict[str, list[str]]] = {t: {} for t in theme_ids}
    for lang in sorted(set(frame[V.LANG])):
        mask = (frame[V.LANG] == lang).to_numpy()
        docs = {t: frame.loc[mask & (labels == t), V.TEXT].tolist() for t in theme_ids if t != V.OUTLIER_THEME}
        for t, words in class_tfidf_keywords(docs, lang, n).items():
            if words:
                out[t][lang] = words
    return out


def _phrase_labels(frame: pd.DataFrame, labels: np.ndarray, themed: list[int], wanted: list[int],
                   centroids: dict[int, np.ndarray], *, lang: str, n: int, max_words: int, n_candidates: int,
                   diversity: float, encode) -> dict[int, tuple[str, str]]:
    """(label, label_source) for each theme of `wanted` that a report-language phrase can label.

    A theme with report-language comments is labelled from its own candidates. One without takes
    the best of every candidate of the run (all themes' and the outliers', already encoded), scored
    against its centroid: the language-neutral space is what carries the meaning across.
    """
    mask = (frame[V.LANG] == lang).to_numpy()
    if not mask.any():
        return {}
    table = phrase_table(frame.loc[mask, V.TEXT].tolist(), labels[mask], lang, max_words)
    candidates = {g: top_candidates(table, g, n_candidates, repeated=encode is None) for g in table.groups}
    own = [t for t in wanted if len(candidates.get(t, ()))]
    foreign = [t for t in wanted if t not in own]
    counts = {g: table.counts[i] for i, g in enumerate(table.groups)}
    if encode is None:
        scores = dict(zip(table.groups, class_tfidf(table)))
        return {t: (LABEL_SEPARATOR.join(label_phrases(table, candidates[t], scores[t][candidates[t]],
                                                       counts[t][candidates[t]], None, n, diversity)), "phrase")
                for t in own}
    used = [candidates[g] for g in (table.groups if foreign else own)]
    pool = np.unique(np.concatenate(used)) if used else np.zeros(0, int)
    if not len(pool):
        return {}
    vectors = np.asarray(encode([table.phrases[i] for i in pool]), dtype=np.float32)
    row_of = {int(c): i for i, c in enumerate(pool)}
    all_centroids = np.stack([centroids[t] for t in themed])
    out = {}
    for t in own:
        vecs = vectors[[row_of[int(c)] for c in candidates[t]]]
        relevance = distinctiveness(vecs, all_centroids, themed.index(t))
        out[t] = (LABEL_SEPARATOR.join(label_phrases(table, candidates[t], relevance, counts[t][candidates[t]], vecs,
                                                     n, diversity)), "phrase")
    total = table.counts.sum(axis=0)[pool]
    for t in foreign:
        relevance = distinctiveness(vectors, all_centroids, themed.index(t))
        out[t] = (CROSS_LINGUAL_MARK + LABEL_SEPARATOR.join(label_phrases(table, pool, relevance, total, vectors, n,
                                                                          diversity)), "cross-lingual")
    return out


def _borrowed_label(theme: int, centroids: dict[int, np.ndarray], own_label: dict[int, str]) -> str:
    candidates = [t for t, lab in own_label.items() if lab and t != theme and t != V.OUTLIER_THEME]
    if not candidates:
        return ""
    sims = [float(centroids[theme] @ centroids[t]) for t in candidates]
    return CROSS_LINGUAL_MARK + own_label[candidates[int(np.argmax(sims))]]


def _dominant_label(keywords: dict[str, list[str]], n: int) -> str:
    if not keywords:
        return "(no keywords)"
    lang, words = max(keywords.items(), key=lambda kv: len(kv[1]))
    return f"{' / '.join(words[:n])} [{lang}]"
