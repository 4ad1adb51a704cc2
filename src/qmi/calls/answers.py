"""What an answer may be, per question kind.

Autosave keeps whatever a person typed (`normalise` only shapes it), so nothing
is lost; `problems` says, at submission time, what is missing or malformed,
in words an applicant understands, and `typing_problem` says it at the field
while the person fills it in.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Question

# Hard caps that protect the database from pasted novels, whatever the form says.
MAX_TEXT = 100_000
MAX_ITEMS = 200
PHONE = re.compile(r"^\+?[0-9 ().-]{6,25}$")
LIST_KINDS = {Question.Kind.MULTIPLE_CHOICE, Question.Kind.COMMUNE_RANKING}
# The condition key of a question shown to some organisation kinds only (its value is a
# kind). Question keys are slugs that cannot start with "_" (the builder's check), so
# no question can take it.
ORGANISATION_KIND_KEY = "_type-organisation"


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


def is_visible(question, answers, *, organisation_kind):
    """A conditional question counts only when the answer it depends on matches.

    `organisation_kind` is the kind of the organisation the application is for:
    some questions are asked of communes only, others of experimenters only.
    """
    if not question.condition_key:
        return True
    if question.condition_key == ORGANISATION_KIND_KEY:
        return organisation_kind == question.condition_value
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
    check = PROBLEMS_BY_KIND.get(question.kind)
    return check(question, value, ranking_choices) if check else []


def typing_problem(question, value, *, ranking_choices=()):
    """What is wrong with an answer being typed, "" when nothing is.

    Shown at the field while filling in (autosave, section page); an empty answer
    is not wrong yet: the checklist says what is missing at submission time.
    """
    if is_empty(value):
        return ""
    return " ".join(problems(question, value, ranking_choices=ranking_choices))


# One check per kind, called with (question, value, ranking choices) on a non-empty answer.


def _short_text_problems(question, value, ranking_choices):
    limit = int(question.config.get("max_length") or 300)
    if len(value) > limit:
        return [
            ngettext("%(count)s caractère au maximum.", "%(count)s caractères au maximum.", limit)
            % {"count": limit}
        ]
    return []


def _long_text_problems(question, value, ranking_choices):
    limit = int(question.config.get("max_chars") or 5000)
    if len(value) > limit:
        return [
            ngettext(
                "%(count)s caractère au maximum (actuellement %(current)s).",
                "%(count)s caractères au maximum (actuellement %(current)s).",
                limit,
            )
            % {"count": limit, "current": len(value)}
        ]
    return []


def _single_choice_problems(question, value, ranking_choices):
    if value not in choices_of(question):
        return [_("Choisissez une réponse dans la liste.")]
    return []


def _multiple_choice_problems(question, value, ranking_choices):
    if any(item not in choices_of(question) for item in value):
        return [_("Choisissez des réponses dans la liste.")]
    return []


def _yes_no_problems(question, value, ranking_choices):
    if value not in ("yes", "no"):
        return [_("Répondez par oui ou par non.")]
    return []


def _date_problems(question, value, ranking_choices):
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return [_("Saisissez une date valide.")]
    return []


def _email_problems(question, value, ranking_choices):
    try:
        EmailValidator()(value)
    except ValidationError:
        return [_("Saisissez une adresse e-mail valide.")]
    return []


def _url_problems(question, value, ranking_choices):
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return [_("Saisissez une adresse web complète, commençant par https://.")]
    return []


def _phone_problems(question, value, ranking_choices):
    if not PHONE.match(value):
        return [_("Saisissez un numéro de téléphone valide.")]
    return []


def _ranking_problems(question, value, ranking_choices):
    found = []
    allowed = {str(choice) for choice in ranking_choices}
    if any(item not in allowed for item in value):
        found.append(_("Une commune choisie ne participe pas à cet appel."))
    if len(set(value)) != len(value):
        found.append(_("Chaque commune ne peut être classée qu'une fois."))
    limit = question.config.get("max_ranked")
    if limit and len(value) > int(limit):
        found.append(
            ngettext(
                "Classez au plus %(count)s commune.",
                "Classez au plus %(count)s communes.",
                int(limit),
            )
            % {"count": limit}
        )
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


PROBLEMS_BY_KIND = {
    Question.Kind.SHORT_TEXT: _short_text_problems,
    Question.Kind.ADDRESS: _short_text_problems,
    Question.Kind.LONG_TEXT: _long_text_problems,
    Question.Kind.SINGLE_CHOICE: _single_choice_problems,
    Question.Kind.MULTIPLE_CHOICE: _multiple_choice_problems,
    Question.Kind.YES_NO: _yes_no_problems,
    Question.Kind.NUMBER: lambda question, value, _ranking: _number_problems(
        value, question.config
    ),
    Question.Kind.DATE: _date_problems,
    Question.Kind.EMAIL: _email_problems,
    Question.Kind.URL: _url_problems,
    Question.Kind.PHONE: _phone_problems,
    Question.Kind.COMMUNE_RANKING: _ranking_problems,
}
