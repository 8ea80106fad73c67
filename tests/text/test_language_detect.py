import pandas as pd
import pytest

from txnlp.config import LanguageSettings
from txnlp.text.language import LanguageTagger, LinguaDetector


def _tagger(**overrides) -> LanguageTagger:
    """The tagger as configured by default: the config model is the only source of its defaults."""
    s = LanguageSettings(**overrides)
    return LanguageTagger(LinguaDetector(s.languages, s.decoys), languages=s.languages, min_confidence=s.min_confidence,
                          min_letters=s.min_letters, trust_input=s.trust_input_lang)


def test_language_detects_our_four_and_und():
    texts = ["De monteur is niet gekomen en niemand belt terug", "Die Rechnung war schon wieder falsch",
             "Приложение постоянно вылетает при входе", "The chatbot could not transfer me to a person",
             "👍👍", "ok", "La factura llegó dos veces este mes"]
    out = _tagger()(pd.DataFrame({"id": range(7), "text": texts}))
    assert out["lang"].tolist() == ["nl", "de", "ru", "en", "und", "und", "und"]
    assert out["lang_confidence"].between(0, 1).all()


def test_language_trusts_valid_input_lang_only():
    frame = pd.DataFrame({"id": [1, 2], "text": ["this is clearly English text", "dit is echt Nederlands"],
                          "lang": ["de", "xx"]})
    out = _tagger()(frame)
    assert out["lang"].tolist() == ["de", "nl"]
    assert out["lang_confidence"].iloc[0] == 1.0



def test_language_stages_take_no_defaults_of_their_own():
    """The config model is the one source of defaults: a stage built without them fails loudly."""
    from txnlp.text.redact import Redactor

    with pytest.raises(TypeError):
        LinguaDetector(["nl"])
    with pytest.raises(TypeError):
        LanguageTagger(LinguaDetector(["nl"], []))
    with pytest.raises(TypeError):
        Redactor()
