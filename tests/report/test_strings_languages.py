"""report.strings: every report language has every string; no English words hide in the template or the script."""
import re
import string
from html.parser import HTMLParser
from importlib import resources

import pytest

from txnlp.report.strings import EN, SCRIPT_KEYS, STRINGS, NumberFormat, script_strings, strings_for
from txnlp.vocab import SUPPORTED_LANGS


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_strings_one_dict_per_supported_language():
    assert set(STRINGS) == set(SUPPORTED_LANGS)


@pytest.mark.parametrize("lang", ["nl", "de", "ru"])
def test_strings_language_has_every_key_with_the_same_placeholders(lang):
    words = STRINGS[lang]
    assert sorted(set(EN) - set(words)) == [], f"{lang} misses these keys"
    assert sorted(set(words) - set(EN)) == [], f"{lang} has keys English does not"
    for key, en in EN.items():
        if isinstance(en, list):
            assert isinstance(words[key], list) and len(words[key]) == len(en), key
            pairs = zip(en, words[key])
        else:
            pairs = [(en, words[key])]
        for en_text, text in pairs:
            assert isinstance(text, str) and text.strip(), key
            assert _placeholders(text) == _placeholders(en_text), key


def test_strings_unknown_language_falls_back_to_english():
    assert strings_for("und").title == EN["title"]
    assert strings_for("ru").title == STRINGS["ru"]["title"] != EN["title"]


@pytest.mark.parametrize("lang", SUPPORTED_LANGS)
def test_strings_for_the_script_come_from_the_same_dicts(lang):
    assert script_strings(lang) == {key: STRINGS[lang][key] for key in SCRIPT_KEYS}


@pytest.mark.parametrize("lang, number, signed, percent, moment, day", [
    ("en", "1,234.5", "\u22120.21", "43%", "2026-11-30 22:10 UTC", "2026-11-30"),
    ("nl", "1.234,5", "\u22120,21", "43%", "30-11-2026 22:10 UTC", "30-11-2026"),
    ("de", "1.234,5", "\u22120,21", "43%", "30.11.2026 22:10 UTC", "30.11.2026"),
    ("ru", "1\u202f234,5", "\u22120,21", "43%", "30.11.2026 22:10 UTC", "30.11.2026"),
])
def test_strings_number_and_date_formats(lang, number, signed, percent, moment, day):
    fmt = NumberFormat(lang)
    assert fmt.number(1234.5, 1) == number
    assert fmt.number(-0.2149, 2, signed=True) == signed
    assert fmt.percent(0.43) == percent
    assert fmt.date("2026-11-30T22:10:05+00:00") == moment
    assert fmt.date("2026-11-30") == day
    assert fmt.date("not a date") == "not a date"
    assert fmt.date("2026-11-30T23:10:05+01:00").endswith(" UTC+0100")
    assert fmt.plotly_separators == fmt.decimal + fmt.thousands


class _TemplateText(HTMLParser):
    """Text a reader would see (text nodes and title/alt/placeholder/aria-label), outside <script> and <style>."""

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.texts += [v for k, v in attrs if k in ("title", "alt", "placeholder", "aria-label") and v]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def _template(name: str) -> str:
    return resources.files("txnlp.report").joinpath("templates", name).read_text(encoding="utf-8")


def test_strings_template_has_no_words_of_its_own():
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", _template("report.html.j2"), flags=re.S)
    parser = _TemplateText()
    parser.feed(source)
    words = [w for text in parser.texts for w in re.findall(r"[^\W\d_]{2,}", text)]
    assert words == [], "user-visible words in report.html.j2 outside the strings"


def test_strings_template_check_catches_a_literal():
    parser = _TemplateText()
    parser.feed(re.sub(r"\{\{.*?\}\}", " ", '<p title="Sort me">{{ t.x }} rows</p>'))
    assert [w for text in parser.texts for w in re.findall(r"[^\W\d_]{2,}", text)] == ["Sort", "me", "rows"]


# DOM names the script compares with or listens to; anything else that reads like words is a UI string.
_DOM_NAMES = {"DOMContentLoaded", "TR"}


def _script_literals(source: str) -> list[str]:
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    source = re.sub(r"^\s*//.*$", "", source, flags=re.M)
    return [m.group(2) for m in re.finditer(r"""(["'])((?:(?!\1)[^\\]|\\.)*)\1""", source)]


def _wordy(literal: str) -> bool:
    return bool(re.search(r"[^\W\d_]\s+[^\W\d_]|^[A-Z][a-z]", literal)) and literal not in _DOM_NAMES


def test_strings_script_writes_no_words_of_its_own():
    script = _template("report.js")
    literals = _script_literals(script)
    assert "use strict" in literals  # the scan reads the literals at all
    assert [s for s in literals if s != "use strict" and _wordy(s)] == []
    for call in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert call not in script  # text reaches the page as text only


def test_strings_script_check_catches_a_literal():
    assert _wordy("No comments") and _wordy("Close") and not _wordy("[data-theme]") and not _wordy("TR")
