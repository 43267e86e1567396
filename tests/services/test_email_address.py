"""The one e-mail rule: what a conversation accepts is exactly what the mail composer can send to."""

import pytest

from mail.compose import compose_email
from services.email_address import is_valid_address, normalize_address

SENDABLE = ["kim@gemeinde.de", "k.i-m+bau@stadt.example.org", "a@xn--mnster-3ya.de"]
REFUSED = [
    "max..muster@gemeinde.de",  # two dots in a row: not a dot-atom
    ".max@gemeinde.de",
    "max.@gemeinde.de",
    "max@gemeinde",  # no dotted domain
    "max@-gemeinde.de",
    '"max muster"@gemeinde.de',
    "max muster@gemeinde.de",
    "x" * 65 + "@gemeinde.de",
    "a@" + "b" * 250 + ".de",
    "",
]


@pytest.mark.parametrize("address", SENDABLE)
def test_accepted_addresses_can_be_composed(address):
    assert is_valid_address(address)
    compose_email(
        from_address="fachstelle@klimabot.example",
        from_name="klimabot",
        to=[("", address)],
        subject="Test",
        text="Hallo",
        domain="klimabot.example",
    )


@pytest.mark.parametrize("address", REFUSED)
def test_refused_addresses_are_refused_by_the_composer_too(address):
    assert not is_valid_address(address)
    with pytest.raises(ValueError):
        compose_email(
            from_address="fachstelle@klimabot.example",
            from_name="klimabot",
            to=[("", address)],
            subject="Test",
            text="Hallo",
            domain="klimabot.example",
        )


def test_typed_text_is_normalised():
    assert normalize_address("  <Kim@Gemeinde.DE> ") == "kim@gemeinde.de"
    assert normalize_address("max..muster@gemeinde.de") is None
