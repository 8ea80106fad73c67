import pytest

from txnlp.text.redact import redact_text

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
