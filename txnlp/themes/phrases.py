"""Label phrases: runs of content words from a theme's comments, scored against its centroid, picked with MMR.

A candidate is 1 to `max_words` consecutive content words, cut at every stop word (spaCy's list),
placeholder ([NAME]), short word, number or punctuation mark. Cutting instead of skipping keeps
candidates honest: "history is not visible" yields "history" and "visible", never "history visible",
which would say the opposite. Candidates are counted by their lemmas (so "invoices"/"invoice" count
as one) but shown in their most frequent surface form: lemmas read badly as a phrase ("счёт
прийти поздно", "factuur komen te laat"), surface forms keep the agreement a reader expects.
"""
from __future__ import annotations

import importlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from txnlp.themes.ids import unit_rows

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_MIN_LETTERS = 3  # as the keywords: shorter words are mostly function words spaCy's lists miss
_PLACEHOLDER_WORDS = {"email", "url", "iban", "card", "phone", "name"}


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for `lang`, plus the redaction placeholders' words ([NAME] -> "name")."""
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
    except ImportError:  # optional: inflected forms then count apart
        return word
    return simplemma.lemmatize(word, lang=lang).casefold()


def content_runs(text: str, lang: str) -> list[list[str]]:
    """The maximal runs of content words of `text` (surface forms), in order."""
    stops = stop_words(lang)
    runs, run, end = [], [], 0
    for match in _WORD.finditer(text):
        word, gap = match.group(), text[end:match.start()]
        end = match.end()
        if gap.strip() and run:  # punctuation, digits or a placeholder's brackets between two words
            runs.append(run)
            run = []
        folded = word.casefold()
        if len(word) < _MIN_LETTERS or folded in stops or lemma(folded, lang) in stops:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(word)
    if run:
        runs.append(run)
    return runs


@dataclass
class PhraseTable:
    """Candidate phrases of a set of comments and how many comments of each group hold them.

    Attributes:
        keys: each phrase's lemmas, space-joined (what is counted).
        phrases: each phrase's most frequent surface form (what is shown).
        n_words: words per phrase.
        groups: the group ids, rows of `counts` in this order.
        counts: (groups, phrases) comments of the group that contain the phrase.
    """

    keys: list[str]
    phrases: list[str]
    n_words: np.ndarray
    groups: list[int]
    counts: np.ndarray


def phrase_table(texts: list[str], groups: np.ndarray, lang: str, max_words: int) -> PhraseTable:
    """Every candidate phrase of `texts` (in `lang`) and its comment count per group."""
    from sklearn.feature_extraction.text import CountVectorizer

    surfaces: dict[str, Counter] = defaultdict(Counter)

    def analyse(text: str) -> list[str]:
        keys = []
        for run in content_runs(text, lang):
            lemmas = [lemma(w, lang) for w in run]
            for n in range(1, max_words + 1):
                for i in range(len(run) - n + 1):
                    key = " ".join(lemmas[i:i + n])
                    surfaces[key][" ".join(run[i:i + n])] += 1
                    keys.append(key)
        return keys

    group_ids = sorted(set(int(g) for g in groups))
    try:
        x = CountVectorizer(analyzer=analyse, binary=True, lowercase=False).fit(texts)
    except ValueError:  # no content word at all
        return PhraseTable([], [], np.zeros(0, int), group_ids, np.zeros((len(group_ids), 0), int))
    matrix = x.transform(texts)
    keys = list(x.get_feature_names_out())
    groups = np.asarray(groups)
    counts = np.vstack([np.asarray(matrix[groups == g].sum(axis=0)).ravel() for g in group_ids]).astype(int)
    shown = [_surface(surfaces[k]) for k in keys]
    return PhraseTable(keys, shown, np.array([k.count(" ") + 1 for k in keys]), group_ids, counts)


def _surface(variants: Counter) -> str:
    """The most frequent way of writing a phrase; where it is also written lower-case, an initial capital is dropped.

    So a sentence-initial "Invoice" counts as "invoice", while "Rechnung" or "CRM", never written
    lower-case, keep their capitals.
    """
    lower_seen = any(form[:1].islower() for form in variants)
    merged = Counter()
    for form, n in variants.items():
        merged[form[:1].lower() + form[1:] if lower_seen else form] += n
    return max(merged.items(), key=lambda kv: (kv[1], -sum(c.isupper() for c in kv[0])))[0]


def top_candidates(table: PhraseTable, group: int, n: int, *, repeated: bool) -> np.ndarray:
    """The group's `n` most frequent phrases; among as frequent ones, those made of its more frequent words.

    Exact phrases seldom repeat in a small theme (nine comments say "customer history" nine ways),
    so most candidates occur once: the frequency of their words within the group then ranks them,
    and "customer history missing" comes before "called yesterday". Ties: shorter, then alphabetical.
    `repeated` keeps only phrases seen in two comments or more (where the group has any): without an
    encoder nothing tells a typical one-off phrase from a customer's "account holder Jane Doe".
    """
    if group not in table.groups or not table.keys:
        return np.zeros(0, int)
    counts = table.counts[table.groups.index(group)]
    word_count = {k: c for k, c, w in zip(table.keys, counts, table.n_words) if w == 1}
    idx = np.flatnonzero(counts >= (2 if repeated and (counts >= 2).any() else 1))
    words = {i: np.mean([word_count.get(w, 0) for w in table.keys[i].split()]) for i in idx}
    order = sorted(idx, key=lambda i: (-counts[i], -words[i], table.n_words[i], table.keys[i]))
    return np.asarray(order[:n], dtype=int)


def distinctiveness(vectors: np.ndarray, centroids: np.ndarray, own: int) -> np.ndarray:
    """Cosine to centroid `own` minus the mean cosine to the other centroids (rows of `centroids`).

    The correction keeps words every theme is near ("service", "app") from labelling the one
    theme that happens to be nearest to them.
    """
    sims = unit_rows(vectors) @ unit_rows(centroids).T
    others = np.delete(sims, own, axis=1)
    return sims[:, own] - (others.mean(axis=1) if others.shape[1] else 0.0)


def class_tfidf(table: PhraseTable) -> np.ndarray:
    """c-TF-IDF of every phrase per group, the term frequency taken among phrases of the same length.

    Per length, because a phrase is never more frequent than its words: over all lengths
    a single word would always win, and the label would be a keyword again.
    """
    counts = table.counts.astype(float)
    tf = np.zeros_like(counts)
    for n in set(table.n_words.tolist()):
        cols = table.n_words == n
        tf[:, cols] = counts[:, cols] / np.maximum(counts[:, cols].sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1))
    return tf * idf


def maximal_marginal_relevance(relevance: np.ndarray, similarity: np.ndarray, n: int, diversity: float,
                               first: int | None = None) -> list[int]:
    """Up to `n` indices, greedily: (1 - diversity) * relevance - diversity * max similarity to those picked.

    The first pick is `first`, or else the most relevant. Relevance is rescaled to [0, 1] first, so
    that a distinctiveness score (a difference of cosines, often under 0.1) and the cosines between
    candidates weigh as `diversity` says.
    """
    if not len(relevance):
        return []
    span = relevance.max() - relevance.min()
    rel = (relevance - relevance.min()) / span if span > 0 else np.ones_like(relevance)
    picked = [int(np.argmax(rel)) if first is None else first]
    while len(picked) < min(n, len(rel)):
        left = [i for i in range(len(rel)) if i not in picked]
        redundancy = similarity[np.ix_(left, picked)].max(axis=1)
        picked.append(left[int(np.argmax((1 - diversity) * rel[left] - diversity * redundancy))])
    return picked


def label_phrases(table: PhraseTable, candidates: np.ndarray, relevance: np.ndarray, frequency: np.ndarray,
                  vectors: np.ndarray | None, n: int, diversity: float) -> list[str]:
    """The best phrase, then up to n-1 single words that share no word with it.

    `relevance`, `frequency` and `vectors` (in the clustering space) are the candidates'. With
    vectors the words are picked by MMR among those with a positive relevance (distinctiveness:
    MMR alone would take a word of another theme for its novelty), without by relevance alone.
    Ties in relevance go to the more frequent, then the longer phrase.
    """
    if not len(candidates):
        return []
    freq = np.asarray(frequency)
    order = np.lexsort((-table.n_words[candidates], -freq, -np.round(relevance, 9)))
    best = int(order[0])
    used = set(table.keys[candidates[best]].split())
    words = [int(i) for i in order if table.n_words[candidates[i]] == 1 and table.keys[candidates[i]] not in used]
    if vectors is None:
        picks = [best] + words[: n - 1]
    else:
        pool = [best] + [i for i in words if relevance[i] > 0]  # nearer the other themes: off-topic, however novel
        unit = unit_rows(vectors[pool])
        picks = [pool[i] for i in maximal_marginal_relevance(relevance[pool], unit @ unit.T, n, diversity, first=0)]
    return [table.phrases[candidates[i]] for i in picks]
