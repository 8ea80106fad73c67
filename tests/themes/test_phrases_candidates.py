"""phrases: candidates are runs of content words (never a stop word or a placeholder), counted by lemma, shown as written."""
import numpy as np
import pytest

from txnlp.themes.phrases import class_tfidf, content_runs, phrase_table, stop_words, top_candidates

TEXTS = {
    "en": ["The agents cannot see the customer history in the CRM, so we ask [NAME] the same questions again.",
           "Invoices arrive after the due date and nobody at the counter knows why."],
    "nl": ["De medewerkers kunnen de klantgeschiedenis niet zien in het systeem, dus vragen we [NAME] alles opnieuw.",
           "De facturen komen pas na de vervaldatum en niemand aan de balie weet waarom."],
    "de": ["Die Mitarbeiter sehen die Kundenhistorie nicht im System, also fragen wir [NAME] alles noch einmal.",
           "Die Rechnungen kommen erst nach dem Fälligkeitsdatum und keiner am Schalter weiß warum."],
    "ru": ["Операторы не видят историю клиента в системе, поэтому мы задаём [NAME] одни и те же вопросы.",
           "Счета приходят после срока оплаты, и никто на кассе не знает почему."],
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_phrases_candidates_hold_no_stop_word_or_placeholder(lang):
    stops = stop_words(lang)
    table = phrase_table(TEXTS[lang], np.array([0, 1]), lang, max_words=4)
    assert table.phrases  # the texts have content words
    for phrase in table.phrases:
        assert not any(w.casefold() in stops for w in phrase.split()), phrase
        assert "NAME" not in phrase and "[" not in phrase


def test_phrases_runs_break_at_stop_words_and_punctuation():
    runs = content_runs("Customer history invisible, CRM screen frozen; agents lose time (again).", "en")
    assert runs == [["Customer", "history", "invisible"], ["CRM", "screen", "frozen"], ["agents", "lose", "time"]]
    # a negation ends the run: "history visible" would say the opposite of the comment
    assert content_runs("history is not visible", "en") == [["history"], ["visible"]]


def test_phrases_counted_by_lemma_shown_in_most_frequent_surface_form():
    texts = ["Late invoices again.", "Late invoices every month.", "Still late invoice today.", "The CRM is slow.",
             "Crm down.", "CRM down."]
    table = phrase_table(texts, np.zeros(6, int), "en", max_words=2)
    i = table.phrases.index("late invoices")  # the sentence-initial capital counts with the lower-case form
    assert table.counts[0, i] == 3  # "invoice" and "invoices" are one phrase
    assert table.n_words[i] == 2
    assert "CRM" in table.phrases and "crm" not in table.phrases  # never written lower-case: the most frequent form


def test_phrases_top_candidates_by_frequency_then_word_frequency_and_bounded():
    texts = ["parking fees", "parking fees", "parking garage", "broken elevator", "parking garage dark"]
    table = phrase_table(texts, np.array([0, 0, 0, 1, 0]), "en", max_words=2)
    top = [table.phrases[i] for i in top_candidates(table, 0, 60, repeated=False)]
    # as frequent: made of more frequent words first ("parking fees" before "fees"; "garage dark" before "dark")
    assert top == ["parking", "parking fees", "parking garage", "fees", "garage", "garage dark", "dark"]
    assert [table.phrases[i] for i in top_candidates(table, 0, 2, repeated=False)] == top[:2]
    assert [table.phrases[i] for i in top_candidates(table, 0, 60, repeated=True)] == top[:5]
    # theme 1 has no phrase in two comments: even `repeated` keeps its single-comment phrases
    assert sorted(table.phrases[i] for i in top_candidates(table, 1, 60, repeated=True)) == [
        "broken", "broken elevator", "elevator"]
    assert len(top_candidates(table, 7, 60, repeated=False)) == 0  # a group without comments here


def test_phrases_class_tfidf_lets_a_phrase_beat_its_words():
    texts = ["parking fees doubled", "parking fees again", "parking garage dark", "fees for lunch"]
    table = phrase_table(texts, np.array([0, 0, 1, 1]), "en", max_words=2)
    scores = class_tfidf(table)[0]
    best = table.phrases[int(np.argmax(scores))]
    assert best == "parking fees"  # per-length term frequency: the bigram is as typical as its words and rarer elsewhere
