"""Personal data redaction before anything is stored, logged or embedded.

Validators, not bare regexes, decide: an IBAN must pass its checksum (python-stdnum), a card
number must be Luhn-valid, a phone number must be valid for one of the configured regions
(phonenumbers), so order and invoice numbers are left alone. Names are only caught when a
common phrase introduces them ("my name is", "mijn naam is", "Frau", "меня зовут", a sign-off):
no NER model for nl/de/ru installs offline. Spans are replaced by `[KIND]`; they are never kept.
"""
from __future__ import annotations

import math
import re

import pandas as pd
import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn

from txnlp import vocab as V

KINDS = ("email", "url", "iban", "card", "phone", "name")

# Unicode local parts and domains (иван@пример.рф, müller@bäcker.de) and punycode top-level domains.
_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.(?:xn--[\w-]+|[^\W\d_]{2,})")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# Where an IBAN may start, in any case ("nl91abna0417164300"); the checksum decides (`_spans_iban`).
_IBAN_START = re.compile(r"(?<![^\W_])[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])")
_IBAN_BODY = re.compile(r"(?:[ ]?[A-Za-z0-9]){11,30}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_UPPER = "A-ZÄÖÜÀ-ÞА-ЯЁ"
_NAME_WORD = rf"[{_UPPER}][\w'’-]+"
# Lower-case name particles: "van den Berg", "de Vries", "von der Heide", "ter Horst". A particle only
# counts in front of a capitalised word, so "aan de balie" after a name stays text.
_PARTICLE = r"(?:van|von|de|der|den|des|del|della|di|da|du|dos|la|le|ten|ter|zu|zur|vom)"
_SURNAME = rf"(?:{_PARTICLE}\s+)*{_NAME_WORD}"
# "P.", "J.P.", "J. P." (the dot is an abbreviation, not a sentence end).
_INITIALS = rf"(?:[{_UPPER}]\.[ ]?){{1,3}}"
# Academic titles after a salutation belong to the name span ("Frau Dr. Müller" -> "Frau [NAME]").
_TITLE = r"(?:(?:Dr|Prof|Dipl\.-Ing|Mag|dr|prof|ir|drs|ing|med|dent|phil|jur|rer\.\s?nat|h\.\s?c)\.|Dr|Prof)"
_NAME = (rf"(?P<name>(?:{_TITLE}\s+)*(?:{_INITIALS}\s*)?{_SURNAME}(?:\s+{_SURNAME}){{0,2}}"
         rf"(?:\s+[А-ЯЁ]\.(?:\s?[А-ЯЁ]\.)?)?)")  # Russian initials after the surname: "Иванов И. И."
_INTRO = [
    r"my name is", r"name:", r"this is", r"(?:mr|mrs|ms|miss|dr|prof)\.?",
    r"mijn naam is", r"ik heet", r"naam:", r"(?:meneer|mevrouw|dhr|mevr|mw|hr)\.?",
    r"mein name ist", r"ich heiße", r"ich heisse", r"(?:herr|frau|hr|fr)\.?",
    r"меня зовут", r"мо[её] имя", r"(?:господин|госпожа|г-н|г-жа)",
    r"(?:regards|best|cheers|thanks|sincerely|groeten|groet|mvg|gr|grüße|grüßen|gruß|grüsse|grüssen|mfg|lg"
    r"|с уважением|спасибо)\s*[,:]?",
]
# Intro phrases match in any case; the name itself must be capitalised.
_NAME_AFTER_INTRO = re.compile(rf"(?<!\w)(?i:{'|'.join(_INTRO)})\s+{_NAME}")
# Without an intro, initials before a surname still make a name: "J. de Vries", "P. Jansen".
_NAME_WITH_INITIALS = re.compile(rf"(?<![\w.])(?P<name>{_INITIALS}\s*{_SURNAME})")
# A phone match must look dialled: international (+), trunk prefix (0, RU 8), area code in
# brackets, or the NANP 3-3-4 shape. This keeps order numbers such as 2024-11-0042 out.
_PHONE_SHAPE = re.compile(r"^(?:\+|00|0|8[\s(-]|\()|^\d{3}[-. ]\d{3}[-. ]\d{4}$")
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|URL|IBAN|CARD|PHONE|NAME)\]")


def _spans_email(text, regions):
    return [m.span() for m in _EMAIL.finditer(text)]


def _spans_url(text, regions):
    return [m.span() for m in _URL.finditer(text)]


def _spans_iban(text, regions):
    """Checksum-valid IBANs in any case, written whole or in groups of four.

    From each possible start the longest run that ends at a word boundary and passes python-stdnum's
    check is taken: a greedy match alone would swallow the next word ("nl91abna0417164300 graag") and
    then fail the checksum, leaving the IBAN for the phone finder to half-redact.
    """
    spans, done = [], 0
    for m in _IBAN_START.finditer(text):
        if m.start() < done:
            continue
        body = _IBAN_BODY.match(text, m.end())
        if body is None:
            continue
        ends = [i for i in range(body.end(), m.end(), -1)
                if (i == len(text) or not text[i].isalnum()) and text[i - 1] != " "]
        for end in ends:
            if std_iban.is_valid(text[m.start():end]):
                spans.append((m.start(), end))
                done = end
                break
    return spans


def _spans_card(text, regions):
    """Luhn-valid runs of 13-19 digits. A run with a number glued on ("4111 1111 1111 1111 0") is
    searched for its longest Luhn-valid window of whole digit groups."""
    spans = []
    for m in _CARD.finditer(text):
        groups = [(g.start(), g.end()) for g in re.finditer(r"\d+", m.group())]
        windows = sorted(((i, j) for i in range(len(groups)) for j in range(i, len(groups))),
                         key=lambda w: (w[0] - w[1], w[0]))
        for i, j in windows:
            start, end = groups[i][0], groups[j][1]
            digits = re.sub(r"\D", "", m.group()[start:end])
            if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
                spans.append((m.start() + start, m.start() + end))
                break
    return spans


def _spans_phone(text, regions):
    spans = set()
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if _DATE.match(match.raw_string.strip()) or (match.raw_string.startswith("00")
                                                          and not _valid_phone(match.raw_string, region)):
                continue
            span = _dialled_part(match.raw_string, region)
            if span is not None:
                spans.add((match.start + span, match.end))
    spans.update(_spans_phone_trimmed(text, regions))
    return sorted(spans)


_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00|\(?0|8[\s(-])[\d\s().\-/]{5,24}\d")


def _spans_phone_trimmed(text, regions):
    """Second pass: a dialled-looking run whose tail is another number ("+7 912 345-67-89 0") is not
    matched whole; the longest prefix ending at a group boundary that is a *valid* number is taken."""
    spans = []
    for m in _PHONE_CANDIDATE.finditer(text):
        raw = m.group()
        ends = [e.start() for e in re.finditer(r"(?<=\d)(?=\s|$)", raw)] or [len(raw)]
        for end in sorted(set(ends + [len(raw)]), reverse=True):
            sub = raw[:end]
            if _DATE.match(sub.strip()):
                continue
            if sum(ch.isdigit() for ch in sub) < 7 or not _PHONE_SHAPE.match(sub):
                continue
            if any(_valid_phone(sub, r) for r in regions):
                spans.append((m.start(), m.start() + end))
                break
    return spans


def _valid_phone(sub: str, region: str) -> bool:
    """Valid for the region, or, dialled internationally, at least possible (fictional ranges included)."""
    try:
        number = phonenumbers.parse(sub, region)
    except phonenumbers.NumberParseException:
        return False
    if sub.startswith("+"):
        return phonenumbers.is_possible_number(number)
    return phonenumbers.is_valid_number(number)


# A date (03.12.2026, 12-11-2026) is not a phone number, whatever the matcher says; a number
# dialled with 00 and no separators must be valid, not merely possible (shipment ids look like that).
_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})$")
_GROUP_START = re.compile(r"(?:^|(?<=[\s/.,;:]))[+(\d]")


def _dialled_part(raw: str, region: str) -> int | None:
    """Offset in `raw` where a dialled-looking number starts, or None.

    The matcher may glue a preceding number or separator to the phone number ("1/ 06-12345678");
    each later digit group is tried as the start, and must still be a possible number on its own.
    """
    for m in _GROUP_START.finditer(raw):
        sub = raw[m.start():].strip()
        if sum(ch.isdigit() for ch in sub) < 7 or not _PHONE_SHAPE.match(sub):
            continue
        if m.start() == 0:
            return 0
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(sub, region)):
                return m.start()
        except phonenumbers.NumberParseException:
            continue
    return None


# Capital letters with dots that are not initials ("P.S. The app", "z. B. Die Lieferung", "U.S. Bank"),
# and capitalised sentence starts after a letter that ends a sentence ("Plan B. The app").
_NOT_INITIALS = frozenset({"PS", "PPS", "US", "UK", "EU", "UN", "NB", "OK", "ZB", "AG", "BV", "NV"})
_AFTER_Z = re.compile(r"(?<![\w.])[zZ]\.\s?$")  # the B. of "z. B." (zum Beispiel)
_SENTENCE_STARTS = frozenset({
    "The", "This", "That", "It", "I", "We", "You", "He", "She", "They", "And", "But", "So", "Then", "My", "Our",
    "De", "Het", "Een", "Dit", "Dat", "Ik", "Wij", "Je", "Jij", "Hij", "Zij", "En", "Maar", "Mijn", "Ons",
    "Der", "Die", "Das", "Ein", "Eine", "Ich", "Wir", "Sie", "Er", "Es", "Und", "Aber", "Mein", "Meine",
})


def _spans_name(text, regions):
    spans = [m.span("name") for m in _NAME_AFTER_INTRO.finditer(text)]
    for m in _NAME_WITH_INITIALS.finditer(text):
        initials, _, rest = m.group("name").rpartition(".")
        if (initials.replace(".", "").replace(" ", "") in _NOT_INITIALS or rest.split()[0] in _SENTENCE_STARTS
                or _AFTER_Z.search(text, 0, m.start())):
            continue
        spans.append(m.span("name"))
    return spans


_FINDERS = {"email": _spans_email, "url": _spans_url, "iban": _spans_iban, "card": _spans_card,
            "phone": _spans_phone, "name": _spans_name}


def redact_text(text: str, kinds=KINDS, phone_regions=("NL", "DE", "RU", "GB", "US")) -> tuple[str, dict[str, int]]:
    """Replace PII spans with `[KIND]`. Earlier kinds win overlaps (an e-mail is not also a name)."""
    counts = dict.fromkeys(kinds, 0)
    for kind in kinds:
        spans = _merge(_FINDERS[kind](text, phone_regions))
        for start, end in reversed(spans):
            text = text[:start] + f"[{kind.upper()}]" + text[end:]
        counts[kind] = len(spans)
    return text, counts


def _merge(spans):
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# A passthrough cell that is only a number ("31612345678", or 31612345678.0 read as a float): the
# export dropped the "+" of an international number.
_BARE_NUMBER = re.compile(r"\+?\d{8,15}(?:\.0+)?")


def redact_cell(value: str, kinds=KINDS, phone_regions=("NL", "DE", "RU", "GB", "US")) -> str:
    """A passthrough value redacted: as text (`redact_text`), and a bare number that is a valid
    international phone number without its "+" becomes [PHONE].

    Only for passthrough cells: in a comment a bare digit run is far more often an order or invoice
    number, and the text finders need a dialled shape there. Valid (not merely possible) numbers only.
    """
    if "phone" in kinds and _BARE_NUMBER.fullmatch(value.strip()):
        digits = value.strip().lstrip("+").split(".")[0]
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None)):
                return "[PHONE]"
        except phonenumbers.NumberParseException:
            pass
    return redact_text(value, kinds, phone_regions)[0]


def cell_text(value) -> str | None:
    """A passthrough value as the text redaction reads: None for missing, 31612345678.0 as "31612345678"."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


class Redactor:
    """Pipeline stage: rewrites `text` and every passthrough column to their redacted form, and adds
    `redacted_<kind>` counts (of `text`).

    Passthrough columns too: a `contact_email` or `phone` column must not carry personal data into
    the outputs, whether its values are text or numbers (a phone read as an int or float). A column
    named in `name_columns` (case-insensitive: `customer_name`, `employee_name`, ...) holds names
    with no phrase to find them by, so each non-empty cell becomes [NAME] whole. Columns txnlp fills
    itself (ids, channel, dates, file names) are left as they are. Kinds, phone regions and name
    columns are explicit: the `redact` section of the config holds the defaults.
    """

    name = "redact"
    keep = frozenset({*V.OWN_COLUMNS, V.IS_DUPLICATE, V.LANG_CONFIDENCE})

    def __init__(self, kinds, phone_regions, name_columns=()):
        self.kinds = tuple(kinds)
        self.phone_regions = tuple(phone_regions)
        self.name_columns = tuple(name_columns)

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        names = {c.casefold() for c in self.name_columns}
        for col in out.columns:
            if col in self.keep or col.startswith(V.REDACTION_PREFIX):
                continue
            if "name" in self.kinds and str(col).casefold() in names:
                out[col] = pd.Series(["[NAME]" if cell_text(v) and cell_text(v).strip() else v for v in out[col]],
                                     index=out.index, dtype=object)
                continue
            out[col] = self._redact_column(out[col])
        results = [redact_text(t, self.kinds, self.phone_regions) for t in out[V.TEXT]]
        out[V.TEXT] = [r[0] for r in results]
        for kind in self.kinds:
            out[V.REDACTION_PREFIX + kind] = [r[1][kind] for r in results]
        return out

    def _redact_column(self, values: pd.Series) -> pd.Series:
        """Each distinct value redacted once (passthrough values repeat: a region, a department).

        A numeric column is left as it is unless a value in it is redacted; then it becomes text, so
        "[PHONE]" and the numbers beside it fit one column.
        """
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if not (numeric or values.dtype == object or pd.api.types.is_string_dtype(values)):
            return values
        changed = {}
        for v in values.dropna().unique():
            text = cell_text(v)
            new = redact_cell(text, self.kinds, self.phone_regions)
            if new != text:
                changed[v] = new
        if not changed:
            return values
        # a list, not Series.map: map turns the None beside text into NaN
        return pd.Series([changed.get(v, cell_text(v) if numeric else v) for v in values], index=values.index,
                         dtype=object, name=values.name)
