"""What an answer may be, per question kind.

Autosave keeps whatever a person typed (`normalise` only shapes it), so nothing
is lost; `problems` says, at submission time, what is missing or malformed,
in words an applicant understands.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from .models import Question

# Hard caps that protect the database from pasted novels, whatever the form says.
MAX_TEXT = 100_000
MAX_ITEMS = 200
PHONE = re.compile(r"^\+?[0-9 ().-]{6,25}$")
LIST_KINDS = {Question.Kind.MULTIPLE_CHOICE, Question.Kind.COMMUNE_RANKING}


def normalise(question, raw):
    """Shape a submitted value for storage without judging it (drafts keep everything)."""
    if question.kind in LIST_KINDS:
        values = raw if isinstance(raw, list) else [raw]
        return [str(value)[:200] for value in values if str(value).strip()][:MAX_ITEMS]
    if question.kind == Question.Kind.DOCUMENT:
        return None
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return str(raw if raw is not None else "").replace("\r\n", "\n")[:MAX_TEXT]


def is_empty(value):
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def is_visible(question, answers):
    """A conditional question counts only when the answer it depends on matches."""
    if not question.condition_key:
        return True
    value = answers.get(question.condition_key)
    if isinstance(value, list):
        return question.condition_value in value
    return (value or "") == question.condition_value


def choices_of(question):
    return [str(choice) for choice in question.config.get("choices", [])]


def problems(question, value, *, ranking_choices=()):
    """Reasons this answer cannot be submitted, empty when it can."""
    if is_empty(value):
        return [_("Réponse obligatoire.")] if question.required else []
    kind, config = question.kind, question.config
    found = []
    if kind in (Question.Kind.SHORT_TEXT, Question.Kind.ADDRESS):
        limit = int(config.get("max_length") or 300)
        if len(value) > limit:
            found.append(_("%(count)s caractères au maximum.") % {"count": limit})
    elif kind == Question.Kind.LONG_TEXT:
        limit = int(config.get("max_chars") or 5000)
        if len(value) > limit:
            found.append(
                _("%(count)s caractères au maximum (actuellement %(current)s).")
                % {"count": limit, "current": len(value)}
            )
    elif kind == Question.Kind.SINGLE_CHOICE:
        if value not in choices_of(question):
            found.append(_("Choisissez une réponse dans la liste."))
    elif kind == Question.Kind.MULTIPLE_CHOICE:
        if any(item not in choices_of(question) for item in value):
            found.append(_("Choisissez des réponses dans la liste."))
    elif kind == Question.Kind.YES_NO:
        if value not in ("yes", "no"):
            found.append(_("Répondez par oui ou par non."))
    elif kind == Question.Kind.NUMBER:
        found += _number_problems(value, config)
    elif kind == Question.Kind.DATE:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            found.append(_("Saisissez une date valide."))
    elif kind == Question.Kind.EMAIL:
        try:
            EmailValidator()(value)
        except ValidationError:
            found.append(_("Saisissez une adresse e-mail valide."))
    elif kind == Question.Kind.URL:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            found.append(_("Saisissez une adresse web complète, commençant par https://."))
    elif kind == Question.Kind.PHONE:
        if not PHONE.match(value):
            found.append(_("Saisissez un numéro de téléphone valide."))
    elif kind == Question.Kind.COMMUNE_RANKING:
        allowed = {str(choice) for choice in ranking_choices}
        if any(item not in allowed for item in value):
            found.append(_("Une commune choisie ne participe pas à cet appel."))
        if len(set(value)) != len(value):
            found.append(_("Chaque commune ne peut être classée qu'une fois."))
        limit = config.get("max_ranked")
        if limit and len(value) > int(limit):
            found.append(_("Classez au plus %(count)s communes.") % {"count": limit})
    return found


def _number_problems(value, config):
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except InvalidOperation:
        return [_("Saisissez un nombre.")]
    if not number.is_finite():
        return [_("Saisissez un nombre.")]
    minimum, maximum = config.get("min"), config.get("max")
    if minimum is not None and number < Decimal(str(minimum)):
        return [_("Le nombre doit être au moins %(min)s.") % {"min": minimum}]
    if maximum is not None and number > Decimal(str(maximum)):
        return [_("Le nombre doit être au plus %(max)s.") % {"max": maximum}]
    return []
