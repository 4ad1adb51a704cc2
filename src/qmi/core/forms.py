"""Form helpers shared by every app's views."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def apply_errors(form, error):
    """Put a service's ValidationError next to its field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# The largest value a primary key (BigAutoField) or a page number can take.
MAX_ID = 2**63 - 1


def parse_id(value, default=None):
    """A raw POST or GET value as a positive id, or `default`.

    `int()` accepts "١٢٣" and 40-digit numbers, which the database then refuses
    with a 500: only ASCII digits within the database's range count.
    """
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return default
    number = int(text)
    return number if 0 < number <= MAX_ID else default


def parse_ids(values, limit=None):
    """The ids among raw values (a POST list), in order, others dropped."""
    ids = [number for number in (parse_id(value) for value in values) if number is not None]
    return ids[:limit] if limit is not None else ids


class ObjectsChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of objects, refusing a value that is no id before any query.

    A 40-digit number would reach the database and answer a 500 (OverflowError).
    """

    def _check_values(self, value):
        for item in value:
            if parse_id(item) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


def plain_text(value, field=None):
    """Text typed by a person, stripped; a NUL character (PostgreSQL cannot store one) is
    refused with a message rather than failing at the database, as Django's forms do."""
    text = str(value or "").strip()
    if "\x00" in text:
        message = _(
            "Le texte contient un caractère invisible (nul) qui ne peut pas être enregistré : retirez-le."
        )
        raise ValidationError({field: [message]} if field else message)
    return text
