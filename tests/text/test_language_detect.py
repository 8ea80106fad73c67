import pandas as pd

from txnlp.text.language import LanguageTagger


def test_language_detects_our_four_and_und():
    texts = ["De monteur is niet gekomen en niemand belt terug", "Die Rechnung war schon wieder falsch",
             "Приложение постоянно вылетает при входе", "The chatbot could not transfer me to a person",
             "👍👍", "ok", "La factura llegó dos veces este mes"]
    out = LanguageTagger()(pd.DataFrame({"id": range(7), "text": texts}))
    assert out["lang"].tolist() == ["nl", "de", "ru", "en", "und", "und", "und"]
    assert out["lang_confidence"].between(0, 1).all()


def test_language_trusts_valid_input_lang_only():
    frame = pd.DataFrame({"id": [1, 2], "text": ["this is clearly English text", "dit is echt Nederlands"],
                          "lang": ["de", "xx"]})
    out = LanguageTagger()(frame)
    assert out["lang"].tolist() == ["de", "nl"]
    assert out["lang_confidence"].iloc[0] == 1.0
