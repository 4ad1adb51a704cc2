"""Building a call's form, publishing it, and duplicating a call: one function per intention.

Staff always edit the call's unpublished revision (`revisions.editable_revision`):
the first change made to a published form copies it into a new revision, inside
the same transaction as the change, so a refused change leaves nothing behind
and the published revision is never touched. Every function checks the
permission, runs in one transaction and leaves an audit entry on the call.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi.accounts.models import Organisation
from qmi.core import audit
from qmi.core.files import FAMILIES, check_upload
from qmi.core.permissions import require

from .. import queries
from ..answers import ORGANISATION_KIND_KEY
from ..models import Application, Call, FaqEntry, Question, Section
from . import calls, revisions

Kind = Question.Kind

# The settings each kind understands (Question.config keys), as shown in the builder.
CONFIG_KEYS = {
    Kind.SHORT_TEXT: ["max_length"],
    Kind.ADDRESS: ["max_length"],
    Kind.LONG_TEXT: ["max_chars"],
    Kind.SINGLE_CHOICE: ["choices"],
    Kind.MULTIPLE_CHOICE: ["choices"],
    Kind.NUMBER: ["min", "max", "unit"],
    Kind.DOCUMENT: ["accepted", "max_size_mb", "multiple"],
    Kind.COMMUNE_RANKING: ["max_ranked"],
}
# A condition compares an answer with a value: only kinds with a closed set of answers qualify.
CONDITION_SOURCE_KINDS = {Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE, Kind.YES_NO}
YES_NO_VALUES = {"yes": "yes", "oui": "yes", "no": "no", "non": "no"}
TEMPLATE_FAMILIES = ["pdf", "text"]
MAX_TEMPLATE_MB = 10
# Largest file a document question may accept (settings.QMI_MAX_REQUEST_MB is above it).
MAX_DOCUMENT_MB = 100
QUESTION_FIELDS = [
    "kind",
    "key",
    "label",
    "help_text",
    "required",
    "config",
    "condition_key",
    "condition_value",
]


def _lock_call(call):
    # Serialises builder edits of one call: two staff members cannot interleave a copy.
    return Call.objects.select_for_update().get(pk=call.pk)


def _draft_of(call):
    return call.revisions.filter(published_at__isnull=True).order_by("-number").first()


def _ordered_sections(revision):
    return list(Section.objects.filter(revision=revision).order_by("order", "pk"))


def _ordered_questions(section):
    return list(Question.objects.filter(section=section).order_by("order", "pk"))


def _outdated():
    return ValidationError(
        _(
            "Le formulaire a changé depuis l'ouverture de cette page : rechargez-la puis recommencez."
        )
    )


def _editable_context(call, section=None, question=None):
    """The draft revision and the rows of it that correspond to `section` / `question`.

    Pages show the published revision as long as no draft exists; the first change
    copies it, and the section or question edited is found again in the copy by
    its position (the copy is exact, so positions match).
    """
    draft_existed = _draft_of(call)
    revision = revisions.editable_revision(call)
    target = question.section if question is not None else section
    if target is None:
        return revision, None, None
    if target.revision_id == revision.pk:
        return revision, target, question
    current = call.current_revision
    if draft_existed is not None or current is None or target.revision_id != current.pk:
        raise _outdated()
    source_sections = _ordered_sections(target.revision)
    copied_sections = _ordered_sections(revision)
    index = next(i for i, s in enumerate(source_sections) if s.pk == target.pk)
    copied_section = copied_sections[index]
    if question is None:
        return revision, copied_section, None
    q_index = next(i for i, q in enumerate(_ordered_questions(target)) if q.pk == question.pk)
    return revision, copied_section, _ordered_questions(copied_section)[q_index]


def _renumber(rows):
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])


def _conditions_problems(revision):
    """Conditions that would point to a later or missing question once rows are reordered."""
    # The applying organisation's kind is known before the first question.
    seen = {ORGANISATION_KIND_KEY}
    for question in queries.questions_of(revision):
        if question.condition_key and question.condition_key not in seen:
            return _(
                "« %(label)s » dépend de la réponse à une question qui serait placée après elle : "
                "déplacez d'abord cette condition."
            ) % {"label": question.label}
        seen.add(question.key)
    return None


# Sections --------------------------------------------------------------------


def _check_section(title):
    if not (title or "").strip():
        raise ValidationError({"title": _("Donnez un titre à la section.")})


@transaction.atomic
def add_section(*, call, by, title, description=""):
    require(by, "calls.manage_calls")
    call = _lock_call(call)
    _check_section(title)
    revision = revisions.editable_revision(call)
    last = Section.objects.filter(revision=revision).aggregate(m=Max("order"))["m"] or 0
    section = Section.objects.create(
        revision=revision, order=last + 1, title=title.strip(), description=description.strip()
    )
    audit.record(
        obj=call,
        actor=by,
        action="form_section_added",
        changes={"section": [None, section.title]},
        note=_("Révision %(number)s du formulaire.") % {"number": revision.number},
    )
    return section


@transaction.atomic
def update_section(*, section, by, title, description=""):
    require(by, "calls.manage_calls")
    call = _lock_call(section.revision.call)
    _check_section(title)
    _, section, _q = _editable_context(call, section=section)
    before = audit.snapshot(section, ["title", "description"])
    section.title, section.description = title.strip(), description.strip()
    section.save(update_fields=["title", "description"])
    changes = audit.diff(before, audit.snapshot(section, ["title", "description"]))
    if changes:
        audit.record(obj=call, actor=by, action="form_section_updated", changes=changes)
    return section


@transaction.atomic
def delete_section(*, section, by):
    require(by, "calls.manage_calls")
    call = _lock_call(section.revision.call)
    revision, section, _q = _editable_context(call, section=section)
    keys = set(section.questions.values_list("key", flat=True))
    dependants = (
        Question.objects.filter(section__revision=revision, condition_key__in=keys)
        .exclude(section=section)
        .values_list("label", flat=True)
    )
    if dependants:
        raise ValidationError(
            _(
                "Cette section ne peut pas être supprimée : « %(label)s » dépend d'une de ses questions."
            )
            % {"label": dependants[0]}
        )
    title = section.title
    count = len(keys)
    section.delete()
    _renumber(_ordered_sections(revision))
    audit.record(
        obj=call,
        actor=by,
        action="form_section_deleted",
        changes={"section": [title, None]},
        note=ngettext(
            "%(count)s question supprimée avec la section.",
            "%(count)s questions supprimées avec la section.",
            count,
        )
        % {"count": count},
    )


@transaction.atomic
def move_section(*, section, by, direction):
    """Move a section one place up or down; refused if a condition would then look forward."""
    require(by, "calls.manage_calls")
    call = _lock_call(section.revision.call)
    revision, section, _q = _editable_context(call, section=section)
    sections = _ordered_sections(revision)
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(sections):
        return section
    sections[index], sections[other] = sections[other], sections[index]
    _renumber(sections)
    problem = _conditions_problems(revision)
    if problem:
        raise ValidationError(problem)
    audit.record(
        obj=call,
        actor=by,
        action="form_section_moved",
        changes={"position": [index + 1, other + 1]},
        note=section.title,
    )
    return section


# Questions -------------------------------------------------------------------


def suggest_key(label, taken):
    """A slug from the label, unique among `taken` (a numeric suffix when needed)."""
    base = slugify(label or "")[:50].strip("-") or "question"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _number(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        return "invalid"
    if not number.is_finite():
        return "invalid"
    return int(number) if number == number.to_integral_value() else float(number)


def _positive_int(config, name, errors, *, maximum, message):
    value = config.get(name)
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= maximum:
        errors[name] = message
        return None
    return value


def clean_config(kind, config):
    """Keep the settings the kind understands, checked; raise a ValidationError per field."""
    errors = {}
    clean_kind = CONFIG_CLEANERS.get(kind)
    clean = clean_kind(kind, config or {}, errors) if clean_kind else {}
    if errors:
        raise ValidationError(errors)
    return clean


# One cleaner per kind: (kind, config, errors) -> the settings kept; fills `errors` by field.


def _bounded(config, name, errors, *, maximum, message):
    value = _positive_int(config, name, errors, maximum=maximum, message=message)
    return {name: value} if value else {}


def _clean_text(kind, config, errors):
    message = _("Indiquez une longueur entre 1 et 1 000 caractères.")
    return _bounded(config, "max_length", errors, maximum=1000, message=message)


def _clean_long_text(kind, config, errors):
    message = _("Indiquez un nombre de caractères entre 1 et 100 000.")
    return _bounded(config, "max_chars", errors, maximum=100_000, message=message)


def _clean_ranking(kind, config, errors):
    message = _("Indiquez un nombre de communes entre 1 et 50.")
    return _bounded(config, "max_ranked", errors, maximum=50, message=message)


def _clean_choices(kind, config, errors):
    choices = [str(c).strip() for c in config.get("choices") or [] if str(c).strip()]
    duplicates = sorted({c for c in choices if choices.count(c) > 1})
    if not choices:
        errors["choices"] = _("Indiquez les réponses possibles, une par ligne.")
    elif kind == Kind.SINGLE_CHOICE and len(choices) < 2:
        errors["choices"] = _("Un choix unique demande au moins deux réponses possibles.")
    elif duplicates:
        errors["choices"] = _("La réponse « %(choice)s » apparaît deux fois.") % {
            "choice": duplicates[0]
        }
    elif any(len(c) > 200 for c in choices):
        errors["choices"] = _("Chaque réponse possible tient en 200 caractères au plus.")
    return {"choices": choices}


def _clean_number(kind, config, errors):
    clean = {}
    minimum, maximum = _number(config.get("min")), _number(config.get("max"))
    if minimum == "invalid":
        errors["min"] = _("Saisissez un nombre.")
    elif minimum is not None:
        clean["min"] = minimum
    if maximum == "invalid":
        errors["max"] = _("Saisissez un nombre.")
    elif maximum is not None:
        clean["max"] = maximum
    if "min" in clean and "max" in clean and minimum > maximum:
        errors["max"] = _(
            "Le maximum (%(max)s) doit être supérieur ou égal au minimum (%(min)s)."
        ) % {
            "max": maximum,
            "min": minimum,
        }
    unit = str(config.get("unit") or "").strip()
    if len(unit) > 30:
        errors["unit"] = _("30 caractères au plus pour l'unité.")
    if unit:
        clean["unit"] = unit
    return clean


def _clean_document(kind, config, errors):
    accepted = [f for f in config.get("accepted") or [] if f in FAMILIES]
    if not accepted:
        errors["accepted"] = _("Cochez au moins un type de document accepté.")
    clean = {"accepted": accepted}
    size = _positive_int(
        config,
        "max_size_mb",
        errors,
        maximum=MAX_DOCUMENT_MB,
        message=_("Indiquez une taille entre 1 et 100 Mo."),
    )
    if size:
        clean["max_size_mb"] = size
    clean["multiple"] = bool(config.get("multiple"))
    return clean


CONFIG_CLEANERS = {
    Kind.SHORT_TEXT: _clean_text,
    Kind.ADDRESS: _clean_text,
    Kind.LONG_TEXT: _clean_long_text,
    Kind.SINGLE_CHOICE: _clean_choices,
    Kind.MULTIPLE_CHOICE: _clean_choices,
    Kind.NUMBER: _clean_number,
    Kind.DOCUMENT: _clean_document,
    Kind.COMMUNE_RANKING: _clean_ranking,
}


def organisation_kind_source(call):
    """The pseudo-question "who applies": the kinds the call admits, all kinds if it names none.

    A condition on it shows a question to some kinds only (the mayor's name to communes).
    """
    kinds = [kind for kind in Organisation.Kind.values if kind in (call.eligible_kinds or [])]
    return Question(
        key=ORGANISATION_KIND_KEY,
        kind=Kind.SINGLE_CHOICE,
        label=_("Type d'organisation qui candidate"),
        config={"choices": kinds or list(Organisation.Kind.values)},
    )


def condition_options(question):
    """The answers a condition may expect from `question` (value, label)."""
    if question.kind == Kind.YES_NO:
        return [("yes", _("oui")), ("no", _("non"))]
    if question.key == ORGANISATION_KIND_KEY:
        labels = dict(Organisation.Kind.choices)
        return [(kind, str(labels[kind])) for kind in question.config["choices"]]
    return [(choice, choice) for choice in question.config.get("choices", [])]


def condition_sources(call, earlier):
    """What a question may depend on: who applies, then the earlier choice and yes/no questions."""
    return [
        organisation_kind_source(call),
        *(q for q in earlier if q.kind in CONDITION_SOURCE_KINDS),
    ]


def describe_condition(question, sources_by_key):
    """« label » = « answer » in words, for the builder and its preview."""
    source = sources_by_key.get(question.condition_key)
    if source is None:
        return {"source": question.condition_key, "value": question.condition_value}
    options = dict(condition_options(source))
    return {
        "source": source.label,
        "value": options.get(question.condition_value, question.condition_value),
    }


def _condition_source(*, revision, key, earlier_keys):
    """The question (or pseudo-question) a condition reads, or a ValidationError."""
    if key == ORGANISATION_KIND_KEY:
        return organisation_kind_source(revision.call)
    source = Question.objects.filter(section__revision=revision, key=key).first()
    if source is None:
        raise ValidationError(
            {
                "condition_key": _("Aucune question du formulaire n'a la clé « %(key)s ».")
                % {"key": key}
            }
        )
    if key not in earlier_keys:
        raise ValidationError(
            {"condition_key": _("La condition doit porter sur une question placée avant celle-ci.")}
        )
    if source.kind not in CONDITION_SOURCE_KINDS:
        raise ValidationError(
            {
                "condition_key": _(
                    "Une condition ne peut porter que sur une question à choix ou oui/non."
                )
            }
        )
    return source


def _check_condition(*, revision, key, value, earlier_keys):
    """The condition as stored (key, value), or a ValidationError next to the right field.

    The value must be one of the source's answers: a choice, « yes »/« no », an
    organisation kind the call admits.
    """
    key, value = (key or "").strip(), (value or "").strip()
    if not key and not value:
        return "", ""
    if not key:
        raise ValidationError(
            {
                "condition_key": _(
                    "Choisissez la question dont dépend l'affichage, ou effacez la réponse attendue."
                )
            }
        )
    source = _condition_source(revision=revision, key=key, earlier_keys=earlier_keys)
    if not value:
        raise ValidationError(
            {"condition_value": _("Indiquez la réponse qui fait apparaître la question.")}
        )
    if source.kind == Kind.YES_NO:
        value = YES_NO_VALUES.get(value.lower(), value)
    if value in dict(condition_options(source)):
        return key, value
    if source.kind == Kind.YES_NO:
        message = _("Pour une question oui/non, indiquez « oui » ou « non ».")
    else:
        message = _("« %(value)s » n'est pas une réponse possible à « %(label)s ».") % {
            "value": value,
            "label": source.label,
        }
    raise ValidationError({"condition_value": message})


def earlier_questions(revision, *, section, question=None):
    """Questions placed before `question`, or before the end of `section` for a new one."""
    result = []
    for candidate in queries.questions_of(revision):
        if question is not None and candidate.pk == question.pk:
            break
        if question is None and (candidate.section.order, candidate.section.pk) > (
            section.order,
            section.pk,
        ):
            break
        result.append(candidate)
    return result


def _check_key(values, *, revision, label, question):
    """The key as given, checked, or suggested from the label; a key others depend on stays."""
    taken = set(
        Question.objects.filter(section__revision=revision)
        .exclude(pk=question.pk if question else None)
        .values_list("key", flat=True)
    )
    key = (values.get("key") or "").strip()
    if not key:
        key = suggest_key(label, taken)
    elif slugify(key) != key or len(key) > 60:
        raise ValidationError(
            {
                "key": _(
                    "La clé ne contient que des lettres minuscules sans accent, des chiffres et des tirets."
                )
            }
        )
    elif key.isdigit():
        # Document URLs take numeric ids at the same place as keys (/documents/<id>/).
        raise ValidationError({"key": _("La clé doit contenir au moins une lettre.")})
    elif key in taken:
        raise ValidationError(
            {
                "key": _(
                    "La clé « %(key)s » est déjà utilisée par une autre question du formulaire."
                )
                % {"key": key}
            }
        )
    if question is not None and key != question.key:
        dependant = Question.objects.filter(
            section__revision=revision, condition_key=question.key
        ).first()
        if dependant is not None:
            raise ValidationError(
                {
                    "key": _("« %(label)s » dépend de cette question : sa clé ne peut pas changer.")
                    % {"label": dependant.label}
                }
            )
    return key


def _check_dependants(*, revision, question, kind, config):
    """Questions shown on a given answer to `question` must still be able to get it."""
    for dependant in Question.objects.filter(
        section__revision=revision, condition_key=question.key
    ):
        options = dict(condition_options(Question(kind=kind, config=config)))
        if kind not in CONDITION_SOURCE_KINDS or dependant.condition_value not in options:
            raise ValidationError(
                _(
                    "« %(label)s » n'apparaît que si cette question reçoit la réponse « %(value)s » : "
                    "modifiez d'abord cette condition."
                )
                % {"label": dependant.label, "value": dependant.condition_value}
            )


def _checked_question_values(values, *, revision, section, question):
    """Every setting of the question, checked: the first problem found raises."""
    kind = values.get("kind")
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choisissez un type de question.")})
    label = (values.get("label") or "").strip()
    if not label:
        raise ValidationError({"label": _("Donnez un intitulé à la question.")})
    key = _check_key(values, revision=revision, label=label, question=question)
    config = clean_config(kind, values.get("config"))
    earlier = {q.key for q in earlier_questions(revision, section=section, question=question)}
    condition_key, condition_value = _check_condition(
        revision=revision,
        key=values.get("condition_key"),
        value=values.get("condition_value"),
        earlier_keys=earlier,
    )
    if question is not None:
        _check_dependants(revision=revision, question=question, kind=kind, config=config)
    return {
        "kind": kind,
        "key": key,
        "label": label,
        "help_text": (values.get("help_text") or "").strip(),
        "required": bool(values.get("required")),
        "config": config,
        "condition_key": condition_key,
        "condition_value": condition_value,
    }


@transaction.atomic
def save_question(*, section, by, question=None, **values):
    """Add a question at the end of `section`, or change `question`; all checks first."""
    require(by, "calls.manage_calls")
    call = _lock_call(section.revision.call)
    revision, section, question = _editable_context(call, section=section, question=question)
    creating = question is None
    checked = _checked_question_values(
        values, revision=revision, section=section, question=question
    )
    before = {} if creating else audit.snapshot(question, QUESTION_FIELDS)
    if creating:
        last = Question.objects.filter(section=section).aggregate(m=Max("order"))["m"] or 0
        question = Question(section=section, order=last + 1)
    for name, value in checked.items():
        setattr(question, name, value)
    if checked["kind"] != Kind.DOCUMENT and question.template_file:
        question.template_file = None
    question.full_clean(exclude=["section", "template_file"])
    question.save()
    changes = audit.diff(before, audit.snapshot(question, QUESTION_FIELDS))
    if creating or changes:
        audit.record(
            obj=call,
            actor=by,
            action="form_question_added" if creating else "form_question_updated",
            changes=changes,
            note=question.label,
        )
    return question


@transaction.atomic
def delete_question(*, question, by):
    require(by, "calls.manage_calls")
    call = _lock_call(question.section.revision.call)
    revision, section, question = _editable_context(call, question=question)
    dependant = Question.objects.filter(
        section__revision=revision, condition_key=question.key
    ).first()
    if dependant is not None:
        raise ValidationError(
            _("Cette question ne peut pas être supprimée : « %(label)s » dépend de sa réponse.")
            % {"label": dependant.label}
        )
    label, key = question.label, question.key
    question.delete()
    _renumber(_ordered_questions(section))
    audit.record(
        obj=call,
        actor=by,
        action="form_question_deleted",
        changes={"question": [f"{label} ({key})", None]},
    )


@transaction.atomic
def move_question(*, question, by, direction):
    """One place up or down; past a section's edge it goes to the neighbouring section."""
    require(by, "calls.manage_calls")
    call = _lock_call(question.section.revision.call)
    revision, section, question = _editable_context(call, question=question)
    questions = _ordered_questions(section)
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    before_section = section.title
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
        _renumber(questions)
    else:
        sections = _ordered_sections(revision)
        s_index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
        s_other = s_index - 1 if direction == "up" else s_index + 1
        if not 0 <= s_other < len(sections):
            return question
        target = sections[s_other]
        rest = [q for q in questions if q.pk != question.pk]
        target_questions = _ordered_questions(target)
        question.section = target
        question.save(update_fields=["section"])
        _renumber(rest)
        _renumber(
            [*target_questions, question] if direction == "up" else [question, *target_questions]
        )
    problem = _conditions_problems(revision)
    if problem:
        raise ValidationError(problem)
    question.refresh_from_db()
    audit.record(
        obj=call,
        actor=by,
        action="form_question_moved",
        changes={
            "section": [before_section, question.section.title],
            "position": [index + 1, question.order],
        },
        note=question.label,
    )
    return question


@transaction.atomic
def upload_template(*, question, uploaded, by):
    """Attach the model file applicants download (e.g. the mayor's letter template)."""
    require(by, "calls.manage_calls")
    call = _lock_call(question.section.revision.call)
    _r, _s, question = _editable_context(call, question=question)
    if question.kind != Kind.DOCUMENT:
        raise ValidationError(
            {"template": _("Seule une pièce justificative peut avoir un modèle à télécharger.")}
        )
    try:
        checked = check_upload(uploaded, families=TEMPLATE_FAMILIES, max_mb=MAX_TEMPLATE_MB)
    except ValidationError as error:
        raise ValidationError({"template": error.messages}) from error
    before = question.template_file.name or None
    question.template_file.save(f"{checked.sha256[:16]}-{checked.name}", uploaded, save=False)
    question.save(update_fields=["template_file"])
    audit.record(
        obj=call,
        actor=by,
        action="form_template_uploaded",
        changes={"modèle": [before, checked.name]},
        note=question.label,
    )
    return question


@transaction.atomic
def remove_template(*, question, by):
    require(by, "calls.manage_calls")
    call = _lock_call(question.section.revision.call)
    _r, _s, question = _editable_context(call, question=question)
    if not question.template_file:
        return question
    before = question.template_file.name
    # The file itself stays: a published revision may still offer it.
    question.template_file = None
    question.save(update_fields=["template_file"])
    audit.record(
        obj=call,
        actor=by,
        action="form_template_removed",
        changes={"modèle": [before, None]},
        note=question.label,
    )
    return question


# Publishing ------------------------------------------------------------------


@transaction.atomic
def publish_form(*, call, by):
    """Publish the draft revision; returns (revision, number of drafts moved to it)."""
    require(by, "calls.manage_calls")
    call = _lock_call(call)
    draft = _draft_of(call)
    if draft is None:
        raise ValidationError(_("Aucune modification à publier : le formulaire publié est à jour."))
    problem = _conditions_problems(draft)
    if problem:
        raise ValidationError(problem)
    # The call row is locked, so no application can start between the count and the move.
    moving = Application.objects.filter(
        call=call,
        status__in=[Application.Status.DRAFT, Application.Status.CORRECTION_REQUESTED],
    ).count()
    revision = revisions.publish_revision(revision=draft, by=by)
    return revision, moving


@transaction.atomic
def discard_draft(*, call, by):
    """Throw away the unpublished revision and go back to the published form.

    Refused when the draft is the call's only revision (nothing to go back to; its
    questions are edited or deleted one by one) or when an application was started
    on it, which publication alone normally allows.
    """
    require(by, "calls.manage_calls")
    call = _lock_call(call)
    draft = _draft_of(call)
    if draft is None:
        raise ValidationError(_("Aucune modification en cours : le formulaire publié est à jour."))
    published = call.current_revision
    if published is None:
        raise ValidationError(
            _(
                "Cette révision est la seule du formulaire : elle ne peut pas être abandonnée. "
                "Modifiez ou supprimez plutôt ses questions."
            )
        )
    if Application.objects.filter(revision=draft).exists():
        raise ValidationError(
            _(
                "Des candidatures ont commencé sur cette révision : elle ne peut plus être abandonnée."
            )
        )
    number = draft.number
    count = Question.objects.filter(section__revision=draft).count()
    # Sections and questions go with it; template files stay (the published form may name them).
    draft.delete()
    audit.record(
        obj=call,
        actor=by,
        action="form_draft_discarded",
        changes={"révision": [number, published.number]},
        note=ngettext(
            "Révision %(number)s abandonnée avec sa question ; "
            "le formulaire reste celui de la révision %(published)s.",
            "Révision %(number)s abandonnée avec ses %(count)s questions ; "
            "le formulaire reste celui de la révision %(published)s.",
            count,
        )
        % {"number": number, "count": count, "published": published.number},
    )
    return published


def revision_usage(call):
    """Revisions of the call with their applications counted by status, in one query."""
    counts = {}
    rows = (
        Application.objects.filter(call=call).values("revision", "status").annotate(n=Count("pk"))
    )
    for row in rows:
        counts.setdefault(row["revision"], {})[row["status"]] = row["n"]
    labels = dict(Application.Status.choices)
    result = []
    for revision in call.revisions.order_by("-number"):
        by_status = counts.get(revision.pk, {})
        result.append(
            {
                "revision": revision,
                "total": sum(by_status.values()),
                "by_status": [(labels[s], n) for s, n in sorted(by_status.items())],
            }
        )
    return result


# Duplicating a call ----------------------------------------------------------


COPIED_FIELDS = [
    "kind",
    "presentation",
    "eligible_kinds",
    "contact_name",
    "contact_email",
    "criteria",
]


@transaction.atomic
def duplicate_call(*, source, by, edition, title, slug, opens_at, closes_at, reference_prefix):
    """A new call in preparation, with the source's texts, FAQ and form (revision 1, unpublished).

    Information sessions are not copied: their dates belong to the source call.
    """
    require(by, "calls.manage_calls")
    if Call.objects.filter(reference_prefix__iexact=reference_prefix).exists():
        raise ValidationError(
            {
                "reference_prefix": _(
                    "Ce préfixe est déjà utilisé par un autre appel : les numéros se confondraient."
                )
            }
        )
    call = calls.save_call(
        by=by,
        edition=edition,
        title=title,
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
        reference_prefix=reference_prefix,
        status=Call.Status.DRAFT,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    form = source.current_revision or source.revisions.order_by("-number").first()
    revision = call.revisions.get(number=1)
    if form is not None:
        revisions.copy_form(form, revision)
    for entry in source.faq.all():
        FaqEntry.objects.create(
            call=call,
            question=entry.question,
            answer=entry.answer,
            order=entry.order,
            is_published=entry.is_published,
        )
    audit.record(
        obj=call,
        actor=by,
        action="duplicated",
        changes={"copié de": [None, f"{source.title} ({source.slug})"]},
        note=_(
            "Formulaire copié (révision %(number)s de l'appel d'origine), à relire avant publication."
        )
        % {"number": form.number if form else "—"},
    )
    audit.record(
        obj=source,
        actor=by,
        action="duplicated",
        changes={"copie": [None, f"{call.title} ({call.slug})"]},
    )
    return call


def revision_shown(call):
    """What the builder shows: the draft if there is one, else the published form."""
    return _draft_of(call) or call.current_revision or call.revisions.order_by("-number").first()
