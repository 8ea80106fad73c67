"""Personal data redaction before anything is stored, logged or embedded.

Validators, not bare regexes, decide: an IBAN must pass its checksum (python-stdnum), a card
number must be Luhn-valid, a phone number must be valid for one of the configured regions
(phonenumbers), so order and invoice numbers are left alone. Names are only caught when a
common phrase introduces them ("my name is", "mijn naam is", "Frau", "меня зовут", a sign-off):
no NER model for nl/de/ru installs offline. Spans are replaced by `[KIND]`; they are never kept.
"""
from __future__ import annotations

import re

import pandas as pd
import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn

from txnlp import vocab as V

KINDS = ("email", "url", "iban", "card", "phone", "name")

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_NAME_WORD = r"[A-ZÄÖÜÀ-ÞА-ЯЁ][\w'’-]+"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+(?:van|de|der|den|von|zu|ter|ten)?\s*{_NAME_WORD}){{0,2}})"
_INTRO = [
    r"my name is", r"name:", r"this is", r"(?:mr|mrs|ms|miss|dr)\.?",
    r"mijn naam is", r"ik heet", r"naam:", r"(?:meneer|mevrouw|dhr|mevr)\.?",
    r"mein name ist", r"ich heiße", r"ich heisse", r"(?:herr|frau|hr|fr)\.?",
    r"меня зовут", r"мо[её] имя", r"(?:господин|госпожа)",
    r"(?:regards|best|cheers|thanks|sincerely|groeten|groet|mvg|gr|grüße|grüßen|gruß|grüsse|grüssen|mfg|lg"
    r"|с уважением|спасибо)\s*[,:]?",
]
# Intro phrases match in any case; the name itself must be capitalised.
_NAME_AFTER_INTRO = re.compile(rf"(?<!\w)(?i:{'|'.join(_INTRO)})\s+{_NAME}")
# A phone match must look dialled: international (+), trunk prefix (0, RU 8), area code in
# brackets, or the NANP 3-3-4 shape. This keeps order numbers such as 2024-11-0042 out.
_PHONE_SHAPE = re.compile(r"^(?:\+|00|0|8[\s(-]|\()|^\d{3}[-. ]\d{3}[-. ]\d{4}$")
_PLACEHOLDER = re.compile(r"\[(?:EMAIL|URL|IBAN|CARD|PHONE|NAME)\]")


def _spans_email(text, regions):
    return [m.span() for m in _EMAIL.finditer(text)]


def _spans_url(text, regions):
    return [m.span() for m in _URL.finditer(text)]


def _spans_iban(text, regions):
    return [m.span() for m in _IBAN.finditer(text) if std_iban.is_valid(m.group())]


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


def _spans_name(text, regions):
    spans = []
    for m in _NAME_AFTER_INTRO.finditer(text):
        name = m.group("name")
        if _PLACEHOLDER.fullmatch(name) or not name[0].isupper():
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


class Redactor:
    """Pipeline stage: rewrites `text` and every passthrough text column to their redacted form, and adds
    `redacted_<kind>` counts (of `text`).

    Passthrough columns too: a `contact_email` or `phone` column must not carry personal data into
    the outputs. Columns txnlp fills itself (ids, channel, dates, file names) are left as they are.
    Kinds and phone regions are explicit: the `redact` section of the config holds the defaults.
    """

    name = "redact"
    keep = frozenset({*V.OWN_COLUMNS, V.IS_DUPLICATE, V.LANG_CONFIDENCE})

    def __init__(self, kinds, phone_regions):
        self.kinds = tuple(kinds)
        self.phone_regions = tuple(phone_regions)

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for col in out.columns:
            if col not in self.keep and not col.startswith(V.REDACTION_PREFIX) and (
                    out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
                # Passthrough values repeat (a region, a department): each distinct one is redacted once.
                redacted = {v: redact_text(v, self.kinds, self.phone_regions)[0]
                            for v in out[col].dropna().unique() if isinstance(v, str)}
                out[col] = out[col].map(lambda v: redacted.get(v, v) if isinstance(v, str) else v)
        results = [redact_text(t, self.kinds, self.phone_regions) for t in out[V.TEXT]]
        out[V.TEXT] = [r[0] for r in results]
        for kind in self.kinds:
            out[V.REDACTION_PREFIX + kind] = [r[1][kind] for r in results]
        return out
