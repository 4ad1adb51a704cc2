"""French company identifiers (SIREN 9 digits, SIRET 14 digits) and their Luhn key."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# INSEE documents one exception: La Poste's establishments share the SIREN
# 356 000 000 and their SIRET does not satisfy Luhn; instead the sum of its
# digits is a multiple of 5. The head office (…00048) keeps the Luhn key.
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def _ascii_digit(char):
    """A decimal digit of any script ("７", "٧") as its ASCII digit; other characters unchanged.

    Only decimal digits (Unicode category Nd) are converted: "²" or "⑦" are digits
    for `str.isdigit` but not numbers anyone types in an identifier, so they stay
    and the identifier is refused as malformed.
    """
    if char.isascii():
        return char
    value = unicodedata.decimal(char, None)
    return char if value is None else str(value)


def normalise_siret(value):
    """The identifier as stored: blanks, dots and dashes removed, digits in ASCII."""
    text = "".join(str(value or "").split()).replace(".", "").replace("-", "")
    return "".join(_ascii_digit(char) for char in text)


def _is_ascii_digits(text):
    return text.isascii() and text.isdigit()


def luhn_valid(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def is_valid_siren_or_siret(value):
    digits = normalise_siret(value)
    if not _is_ascii_digits(digits) or len(digits) not in (9, 14):
        return False
    if len(digits) == 14 and digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_HEAD_OFFICE:
        return sum(int(char) for char in digits) % 5 == 0
    return luhn_valid(digits)


def validate_siren_or_siret(value):
    digits = normalise_siret(value)
    if not _is_ascii_digits(digits) or len(digits) not in (9, 14):
        raise ValidationError(
            _(
                "Saisissez un SIREN (9 chiffres) ou un SIRET (14 chiffres), "
                "avec les chiffres de 0 à 9 seulement."
            ),
            code="format",
        )
    if not is_valid_siren_or_siret(digits):
        raise ValidationError(
            _(
                "Ce numéro n'est pas valide : sa clé de contrôle ne correspond pas. "
                "Vérifiez-le sur votre avis de situation INSEE."
            ),
            code="checksum",
        )
