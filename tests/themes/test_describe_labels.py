"""describe_themes: phrase labels in the report language, the cross-lingual route, renames, fallbacks, quotes."""
import numpy as np
import pandas as pd
import pytest

from txnlp.nested import decode
from txnlp import vocab as V
from txnlp.embed.fake import FakeEmbedder
from txnlp.themes.describe import CROSS_LINGUAL_MARK, LABEL_SEPARATOR, centre_similarity, describe_themes
from txnlp.themes.phrases import stop_words

SETTINGS = dict(n_keywords=6, n_quotes=3, label_words=3, max_phrase_words=4, phrase_candidates=60, label_diversity=0.5)

# per language: two themes of four comments, full of stop words and a placeholder
THEMES = {
    "en": [["The agents cannot see the customer history when [NAME] calls back.",
            "We never see the customer history, so we ask the same questions again.",
            "Customer history is not in the CRM and that is why calls take so long.",
            "Without the customer history I have to ask [NAME] for everything."],
           ["The parking fees went up again and there is no space after eight.",
            "Parking fees are far too high for people who work night shifts.",
            "Why are the parking fees so high when the garage is always full?",
            "I stopped driving in because of the parking fees."]],
    "nl": [["De medewerkers zien de klantgeschiedenis niet als [NAME] terugbelt.",
            "We zien nooit de klantgeschiedenis, dus we stellen dezelfde vragen.",
            "De klantgeschiedenis staat niet in het systeem en daarom duurt het lang.",
            "Zonder klantgeschiedenis moet ik [NAME] alles opnieuw vragen."],
           ["De parkeerkosten zijn weer omhoog gegaan en na acht uur is er geen plek.",
            "De parkeerkosten zijn veel te hoog voor wie nachtdiensten draait.",
            "Waarom betalen we parkeerkosten als de garage altijd vol is?",
            "Ik kom niet meer met de auto vanwege de parkeerkosten."]],
    "de": [["Die Mitarbeiter sehen die Kundenhistorie nicht, wenn [NAME] zurückruft.",
            "Wir sehen nie die Kundenhistorie, also stellen wir dieselben Fragen.",
            "Die Kundenhistorie steht nicht im System, deshalb dauert es so lange.",
            "Ohne die Kundenhistorie muss ich [NAME] alles noch einmal fragen."],
           ["Die Parkgebühren sind wieder gestiegen und nach acht Uhr gibt es keinen Platz.",
            "Die Parkgebühren sind viel zu hoch für alle mit Nachtschichten.",
            "Warum zahlen wir Parkgebühren, wenn das Parkhaus immer voll ist?",
            "Ich fahre nicht mehr mit dem Auto wegen der Parkgebühren."]],
    "ru": [["Операторы не видят историю клиента, когда [NAME] перезванивает.",
            "Мы никогда не видим историю клиента, поэтому задаём те же вопросы.",
            "Истории клиента нет в системе, и поэтому звонки такие долгие.",
            "Без истории клиента я должен заново спрашивать [NAME] обо всём."],
           ["Плата за парковку снова выросла, а после восьми мест нет.",
            "Плата за парковку слишком высокая для тех, кто работает ночью.",
            "Почему мы платим за парковку, если парковка всегда занята?",
            "Я больше не езжу на машине из-за платы за парковку."]],
}


def _frame(texts_by_lang):
    rows = [(lang, theme, text) for lang, themes in texts_by_lang.items() for theme, texts in enumerate(themes)
            for text in texts]
    frame = pd.DataFrame({V.ID: [f"c{i}" for i in range(len(rows))], V.LANG: [r[0] for r in rows],
                          V.TEXT: [r[2] for r in rows]})
    return frame, np.array([r[1] for r in rows])


def _label_words(label):
    label = label.removeprefix(CROSS_LINGUAL_MARK)
    return [w for part in label.split(LABEL_SEPARATOR) for w in part.split()]


@pytest.mark.parametrize("encode", [FakeEmbedder().encode, None], ids=["encoder", "c-tf-idf"])
@pytest.mark.parametrize("lang", sorted(THEMES))
def test_describe_label_and_keywords_never_hold_a_stop_word(lang, encode):
    frame, labels = _frame({lang: THEMES[lang]})
    out = describe_themes(frame, FakeEmbedder().encode(frame[V.TEXT].tolist()), labels, report_language=lang,
                          encode_phrases=encode, **SETTINGS)
    stops = stop_words(lang)
    for row in out.to_dict("records"):
        assert row["label_source"] == "phrase"
        words = _label_words(row["label"])
        assert words and not [w for w in words if w.casefold() in stops], row["label"]
        assert "NAME" not in row["label"] and "[" not in row["label"]
        assert not [w for w in decode("keywords", row["keywords"])[lang] if w in stops]


@pytest.mark.parametrize("encode", [FakeEmbedder().encode, None], ids=["encoder", "c-tf-idf"])
def test_describe_planted_phrase_is_the_label(encode):
    frame, labels = _frame({"en": THEMES["en"]})
    out = describe_themes(frame, FakeEmbedder().encode(frame[V.TEXT].tolist()), labels, report_language="en",
                          encode_phrases=encode, **SETTINGS).set_index(V.THEME_ID)
    assert out.loc[0, "label"].split(LABEL_SEPARATOR)[0].casefold() == "customer history"
    assert out.loc[1, "label"].split(LABEL_SEPARATOR)[0].casefold() == "parking fees"


# a hand-made encoder: each word points to a concept, so Russian and English words of one concept meet
CONCEPTS = {"billing": ["invoice", "invoices", "charged", "twice", "счёт", "счета", "списали", "дважды"],
            "app": ["app", "login", "crashes", "приложение", "вход", "вылетает", "приложения"],
            "parking": ["parking", "garage", "fees", "парковка"]}
AXIS = {w: i for i, words in enumerate(CONCEPTS.values()) for w in words}


def _concept_encode(texts):
    out = np.zeros((len(texts), len(CONCEPTS) + 1), np.float32)
    for row, text in enumerate(texts):
        for word in text.casefold().replace(",", " ").replace(".", " ").split():
            out[row, AXIS.get(word, len(CONCEPTS))] += 1.0 if word in AXIS else 0.05
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def _cross_lingual_frame():
    rows = ([("en", 0, t) for t in ["invoice charged twice", "my invoice charged twice again",
                                    "invoices charged twice this month", "invoice for the garage"]]
            + [("en", 1, t) for t in ["parking garage fees", "parking fees too high", "garage full, parking fees",
                                      "parking fees again"]]
            + [("ru", 2, t) for t in ["приложение вылетает", "вход в приложение", "приложение вылетает снова",
                                      "вход не работает, приложение вылетает"]]
            + [("en", V.OUTLIER_THEME, t) for t in ["app login crashes", "the app login crashes", "lovely staff"]])
    frame = pd.DataFrame({V.ID: [f"c{i}" for i in range(len(rows))], V.LANG: [r[0] for r in rows],
                          V.TEXT: [r[2] for r in rows]})
    return frame, np.array([r[1] for r in rows])


def test_describe_cross_lingual_route_gives_report_language_words():
    frame, labels = _cross_lingual_frame()
    emb = _concept_encode(frame[V.TEXT].tolist())
    out = describe_themes(frame, emb, labels, report_language="en", encode_phrases=_concept_encode,
                          **SETTINGS).set_index(V.THEME_ID)
    assert out.loc[2, "label_source"] == "cross-lingual"
    assert out.loc[2, "label"].startswith(CROSS_LINGUAL_MARK)
    english = set(" ".join(frame.loc[frame[V.LANG] == "en", V.TEXT]).casefold().replace(",", " ").split())
    words = [w.casefold() for w in _label_words(out.loc[2, "label"])]
    assert words and set(words) <= english
    assert set(words) <= set(CONCEPTS["app"])  # the app words, not billing or parking ones
    assert "приложение" in decode("keywords", out.loc[2, "keywords"])["ru"]
    assert out.loc[0, "label_source"] == "phrase" and out.loc[V.OUTLIER_THEME, "label_source"] == "outlier"


def test_describe_without_encoder_borrows_the_nearest_themes_label():
    frame, labels = _cross_lingual_frame()
    emb = _concept_encode(frame[V.TEXT].tolist())
    emb[labels == 2] = emb[labels == 0] * 0.9 + 0.1  # the Russian theme sits next to billing
    out = describe_themes(frame, emb, labels, report_language="en", encode_phrases=None,
                          **SETTINGS).set_index(V.THEME_ID)
    assert out.loc[2, "label_source"] == "nearest-theme"
    assert out.loc[2, "label"] == CROSS_LINGUAL_MARK + out.loc[0, "label"]


def test_describe_rename_wins_over_every_route():
    frame, labels = _cross_lingual_frame()
    emb = _concept_encode(frame[V.TEXT].tolist())
    out = describe_themes(frame, emb, labels, report_language="en", encode_phrases=_concept_encode,
                          renames={0: "Double billing", 2: "App crashes (RU)"}, **SETTINGS).set_index(V.THEME_ID)
    assert out.loc[0, "label"] == "Double billing" and out.loc[0, "label_source"] == "edit"
    assert out.loc[2, "label"] == "App crashes (RU)" and out.loc[2, "label_source"] == "edit"
    assert out.loc[1, "label_source"] == "phrase"


def test_describe_quotes_are_the_comments_nearest_the_centre():
    frame, labels = _cross_lingual_frame()
    emb = _concept_encode(frame[V.TEXT].tolist())
    out = describe_themes(frame, emb, labels, report_language="en", encode_phrases=None,
                          **SETTINGS).set_index(V.THEME_ID)
    similarity = centre_similarity(emb, labels)
    idx = np.flatnonzero(labels == 0)
    expected = frame[V.ID].to_numpy()[idx[np.argsort(-similarity[idx], kind="stable")[:3]]].tolist()
    assert [q["id"] for q in decode("quotes", out.loc[0, "quotes"])] == expected
    assert "c3" not in expected  # "invoice for the garage" is the least typical of the billing theme


def test_describe_centre_similarity_is_the_cosine_to_the_own_centroid():
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [5.0, 0.0]], np.float32)
    sims = centre_similarity(emb, np.array([0, 0, 0, 1]))
    assert sims[2] > sims[0] == pytest.approx(sims[1]) and sims[3] == pytest.approx(1.0)


def test_describe_run_without_report_language_labels_with_phrases_of_its_own_language():
    frame, labels = _frame({"de": THEMES["de"]})
    out = describe_themes(frame, FakeEmbedder().encode(frame[V.TEXT].tolist()), labels, report_language="en",
                          encode_phrases=FakeEmbedder().encode, **SETTINGS).set_index(V.THEME_ID)
    for theme in (0, 1):
        label = out.loc[theme, "label"]
        assert out.loc[theme, "label_source"] == "other-language" and label.endswith(" [de]")
        words = {w.casefold() for w in _label_words(label.removesuffix(" [de]"))}
        assert words and not words & stop_words("de")
    assert "kundenhistorie" in out.loc[0, "label"].casefold() and "parkgebühren" in out.loc[1, "label"].casefold()
