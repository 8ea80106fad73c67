"""phrases: maximal marginal relevance trades relevance for novelty as `diversity` says; label_phrases never repeats a word."""
import numpy as np

from txnlp.themes.phrases import distinctiveness, label_phrases, maximal_marginal_relevance, phrase_table


def test_phrases_mmr_skips_a_near_duplicate_when_diverse():
    relevance = np.array([1.0, 0.95, 0.6])
    vectors = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = vectors @ vectors.T
    assert maximal_marginal_relevance(relevance, similarity, 2, diversity=0.5) == [0, 2]
    assert maximal_marginal_relevance(relevance, similarity, 2, diversity=0.0) == [0, 1]
    assert maximal_marginal_relevance(relevance, similarity, 5, diversity=0.5) == [0, 2, 1]  # at most all
    assert maximal_marginal_relevance(relevance, similarity, 2, diversity=0.9, first=1) == [1, 2]


def test_phrases_distinctiveness_discounts_what_every_theme_is_near():
    centroids = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # specific to theme 0 / shared by both
    score = distinctiveness(vectors, centroids, own=0)
    raw = vectors @ (centroids[0] / np.linalg.norm(centroids[0]))
    assert raw[1] == raw[0] and score[0] > score[1]


def test_phrases_label_words_after_the_phrase_share_none_of_its_words():
    texts = ["customer history missing", "customer history missing", "crm screen", "crm screen", "customer notes"]
    table = phrase_table(texts, np.zeros(5, int), "en", max_words=3)
    cands = np.arange(len(table.keys))
    relevance = np.array([len(k) for k in table.keys], float)  # longer keys rank higher
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(cands), 8))
    picks = label_phrases(table, cands, relevance, table.counts[0], vectors, n=3, diversity=0.5)
    assert picks[0] == "customer history missing" and len(picks) == 3
    assert all(len(p.split()) == 1 and p.casefold() not in {"customer", "history", "missing"} for p in picks[1:])
    assert label_phrases(table, cands, relevance, table.counts[0], None, n=1, diversity=0.5) == picks[:1]
