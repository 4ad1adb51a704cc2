import pytest
from django.core.exceptions import ValidationError

from qmi.accounts.validators import (
    is_valid_siren_or_siret,
    luhn_valid,
    normalise_siret,
    validate_siren_or_siret,
)


def test_siret_valid_with_correct_luhn_key():
    assert is_valid_siren_or_siret("73282932000074")


def test_siren_valid_with_correct_luhn_key():
    assert is_valid_siren_or_siret("732829320")


def test_siret_accepts_spaces_as_printed():
    assert is_valid_siren_or_siret("732 829 320 00074")


def test_siret_refused_when_the_key_is_wrong():
    assert not is_valid_siren_or_siret("73282932000075")
    with pytest.raises(ValidationError) as error:
        validate_siren_or_siret("73282932000075")
    assert error.value.code == "checksum"
    assert "clé de contrôle" in error.value.messages[0]


def test_siren_refused_when_the_key_is_wrong():
    assert not is_valid_siren_or_siret("732829321")


@pytest.mark.parametrize(
    "value", ["7328293200007", "732829320000741", "12345678", "7328293200007A"]
)
def test_siret_refused_when_the_length_or_characters_are_wrong(value):
    assert not is_valid_siren_or_siret(value)
    with pytest.raises(ValidationError) as error:
        validate_siren_or_siret(value)
    assert error.value.code == "format"
    assert "9 chiffres" in error.value.messages[0]


def test_la_poste_establishment_accepted_when_digit_sum_is_multiple_of_five():
    # Luhn fails for this La Poste establishment, but its digits add up to 45.

    assert not luhn_valid("35600000049837")
    assert is_valid_siren_or_siret("35600000049837")
    validate_siren_or_siret("35600000049837")


def test_la_poste_prefixed_siret_refused_when_digit_sum_is_not_multiple_of_five():
    assert sum(int(c) for c in "35600000049838") % 5 != 0
    assert not is_valid_siren_or_siret("35600000049838")
    with pytest.raises(ValidationError):
        validate_siren_or_siret("35600000049838")


def test_la_poste_head_office_keeps_the_luhn_rule():
    assert is_valid_siren_or_siret("35600000000048")


@pytest.mark.parametrize(
    "typed",
    [
        "７３２８２９３２００００７４",  # full width, as some keyboards type them
        "٧٣٢٨٢٩٣٢٠٠٠٠٧٤",  # Arabic-Indic
        "۷۳۲ ۸۲۹ ۳۲۰ ۰۰۰۷۴",  # Extended Arabic-Indic (Persian), spaced as printed
        "732\u00a0829\u202f320 00074",  # non-breaking spaces
    ],
)
def test_digits_of_any_script_are_stored_in_ascii(typed):
    assert normalise_siret(typed) == "73282932000074"
    assert is_valid_siren_or_siret(typed)
    validate_siren_or_siret(typed)


@pytest.mark.parametrize("typed", ["21920071²", "2192007¹²", "⑦32829320", "732829320⁰⁰⁰⁷⁴"])
def test_digits_that_are_not_decimal_digits_are_refused_not_crashed(typed):
    assert not is_valid_siren_or_siret(typed)
    with pytest.raises(ValidationError) as error:
        validate_siren_or_siret(typed)
    assert error.value.code == "format"
    assert "chiffres de 0 à 9" in error.value.messages[0]
