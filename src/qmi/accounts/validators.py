"""French company identifiers (SIREN 9 digits, SIRET 14 digits) and their Luhn key."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# INSEE documents one exception: La Poste's establishments share the SIREN
# 356 000 000 and their SIRET does not satisfy Luhn; instead the sum of its
# digits is a multiple of 5. The head office (…00048) keeps the Luhn key.
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def normalise_siret(value):
    return "".join(str(value or "").split()).replace(".", "").replace("-", "")


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
    if not digits.isdigit() or len(digits) not in (9, 14):
        return False
    if len(digits) == 14 and digits.startswith(LA_POSTE_SIREN) and digits != LA_POSTE_HEAD_OFFICE:
        return sum(int(char) for char in digits) % 5 == 0
    return luhn_valid(digits)


def validate_siren_or_siret(value):
    digits = normalise_siret(value)
    if not digits.isdigit() or len(digits) not in (9, 14):
        raise ValidationError(
            _("Saisissez un SIREN (9 chiffres) ou un SIRET (14 chiffres)."), code="format"
        )
    if not is_valid_siren_or_siret(digits):
        raise ValidationError(
            _(
                "Ce numéro n'est pas valide : sa clé de contrôle ne correspond pas. "
                "Vérifiez-le sur votre avis de situation INSEE."
            ),
            code="checksum",
        )
