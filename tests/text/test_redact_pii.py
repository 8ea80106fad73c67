import pandas as pd
import pytest

from txnlp.text.redact import KINDS, Redactor, redact_text

CASES = [
    ("Mail j.devries@example.nl of bel 06-12345678", "Mail [EMAIL] of bel [PHONE]"),
    ("IBAN NL91ABNA0417164300 bitte DE89370400440532013000", "IBAN [IBAN] bitte [IBAN]"),
    ("Frau Müller hat mir geholfen, Tel. +49 151 23456789", "Frau [NAME] hat mir geholfen, Tel. [PHONE]"),
    ("меня зовут Ольга Смирнова, +7 912 345-67-89", "меня зовут [NAME], [PHONE]"),
    ("my name is Tom Baker, card 4111 1111 1111 1111", "my name is [NAME], card [CARD]"),
    ("call (555) 123-4567 or +44 7700 900123", "call [PHONE] or [PHONE]"),
    ("see https://example.com/reset?token=abc", "see [URL]"),
    ("Mijn naam is Sanne Bakker", "Mijn naam is [NAME]"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_redact_examples(text, expected):
    redacted, _ = redact_text(text)
    assert redacted == expected


@pytest.mark.parametrize("text", [
    "Order 2024-11-0042 came 40 minutes late", "invoice 123456789012 of 49.99 EUR",
    "card ending 4111 1111 1111 1112", "I'm angry about the app", "Ich bin sauer",
])
def test_redact_leaves_non_pii_alone(text):
    assert redact_text(text)[0] == text


def test_redact_is_idempotent_and_counts():
    once, counts = redact_text("mail a@b.nl and c@d.de, call 06-12345678")
    assert counts["email"] == 2 and counts["phone"] == 1
    assert redact_text(once)[0] == once


# --- issue 13, item 9: the redaction gaps ---------------------------------------------------------

GAPS = [
    # a title after a salutation is part of the name; its dot does not end the name
    ("Frau Dr. Müller hat mir geholfen", "Frau [NAME] hat mir geholfen"),
    ("Prof. Dr. Schmidt war freundlich", "Prof. [NAME] war freundlich"),
    # initials, after a salutation or on their own
    ("dhr. P. Jansen heeft gebeld", "dhr. [NAME] heeft gebeld"),
    ("Geholpen door J. de Vries van de balie", "Geholpen door [NAME] van de balie"),
    ("mevr. A.M. ten Brink was er niet", "mevr. [NAME] was er niet"),
    ("Mr. J. Smith never called back", "Mr. [NAME] never called back"),
    ("г-н Иванов И. И. не перезвонил", "г-н [NAME] не перезвонил"),
    ("г-жа Петрова очень помогла", "г-жа [NAME] очень помогла"),
    # name particles
    ("Mevrouw van den Berg was erg behulpzaam", "Mevrouw [NAME] was erg behulpzaam"),
    ("Herr von der Heide rief nicht zurück", "Herr [NAME] rief nicht zurück"),
    ("Groeten, Anna ter Horst", "Groeten, [NAME]"),
    # e-mail with Unicode (IDN) local parts and domains, and punycode
    ("Пишите на иван@пример.рф", "Пишите на [EMAIL]"),
    ("Mail an müller@bäcker.de bitte", "Mail an [EMAIL] bitte"),
    ("an anna@xn--bcker-gra.xn--p1ai", "an [EMAIL]"),
    # IBAN in any case, whole or grouped, with a word or a full stop after it
    ("Terugstorten op nl91abna0417164300 graag", "Terugstorten op [IBAN] graag"),
    ("IBAN de89 3704 0044 0532 0130 00 bitte", "IBAN [IBAN] bitte"),
    ("Refund to gb82west12345698765432.", "Refund to [IBAN]."),
    ("IBAN NL91ABNA0417164300 BITTE", "IBAN [IBAN] BITTE"),
]


@pytest.mark.parametrize("text, expected", GAPS)
def test_redact_gaps_of_issue_13(text, expected):
    assert redact_text(text)[0] == expected


@pytest.mark.parametrize("text", [
    "z. B. Die Lieferung kam zu spät", "P.S. The app crashes on start", "Plan B. The app is still slow",
    "Mevrouw aan de balie was aardig", "Bestelling ab12cd34ef56gh78 is kwijt"
])
def test_redact_gaps_look_alikes_stay(text):
    assert redact_text(text)[0] == text


def _passthrough_frame(**columns):
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": ["ok"] * n, **columns})


def test_redactor_phone_as_a_number_in_a_passthrough_column():
    """31612345678 as text, int or float (a column with a blank is read as float): the "+" was dropped."""
    redactor = Redactor(KINDS, ["NL", "DE"])
    as_text = redactor(_passthrough_frame(phone=["31612345678", "+31612345678", "4711", None]))
    assert as_text["phone"].tolist()[:3] == ["[PHONE]", "[PHONE]", "4711"] and pd.isna(as_text["phone"][3])
    as_int = redactor(_passthrough_frame(phone=[31612345678, 4711]))
    assert as_int["phone"].tolist() == ["[PHONE]", "4711"]
    as_float = redactor(_passthrough_frame(phone=[31612345678.0, float("nan")]))
    assert as_float["phone"][0] == "[PHONE]" and pd.isna(as_float["phone"][1])
    assert redactor(_passthrough_frame(phone=["31612345678.0"]))["phone"].tolist() == ["[PHONE]"]


def test_redactor_numbers_that_are_no_phone_stay_numbers():
    frame = _passthrough_frame(customer_no=[100234567, 123456789012, 4711])
    pd.testing.assert_series_equal(Redactor(KINDS, ["NL", "DE"])(frame)["customer_no"], frame["customer_no"])


def test_redactor_name_columns_become_name_whole():
    frame = _passthrough_frame(Customer_Name=["Jan Jansen", "", None], product_name=["Gold plan"] * 3,
                               employee_name=["P. de Boer", "Anna", "x"])
    out = Redactor(KINDS, ["NL"], name_columns=["customer_name", "employee_name"])(frame)
    assert out["Customer_Name"].tolist()[:2] == ["[NAME]", ""] and pd.isna(out["Customer_Name"][2])
    assert out["employee_name"].tolist() == ["[NAME]"] * 3
    assert out["product_name"].tolist() == ["Gold plan"] * 3


def test_redactor_name_columns_default_from_settings():
    from txnlp.config import Settings
    from txnlp.registry import make

    redactor = make("text", "redact", Settings())
    assert {"customer_name", "employee_name", "contact_name", "name"} <= set(redactor.name_columns)


def test_redact_title_chain_dr_med():
    assert redact_text("Sehr geehrte Frau Dr. med. Weber,")[0] == "Sehr geehrte Frau [NAME],"
