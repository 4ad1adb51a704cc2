"""The applicant's form: the fields a section shows, the answers a POST changes, answers read back.

A call's form is defined by staff at run time (sections and questions of a
revision), so it is not a Django `Form`: fields are described here as plain
dictionaries the templates render, and a POST is read back per question kind.

Only what the person changed is sent to `services.applications.autosave`: the page carries
the answers it was rendered with (`original`), and a field counts as changed
when its posted value differs from that. Colleagues editing other questions of
the same application from the same version therefore never conflict.
"""

import datetime
import json
from types import SimpleNamespace

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi.accounts.models import Organisation
from qmi.core import files
from qmi.core.dates import format_date
from qmi.programmes.models import EditionCommune

from .. import answers as answer_rules
from ..models import Application, Question
from ..queries import sections_of

FIELD_PREFIX = "a_"
CHOICE_KINDS = {Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE}


def field_name(question):
    return f"{FIELD_PREFIX}{question.key}"


def ranking_options(call):
    """(EditionCommune id as text, "Commune — challenge title") for a commune ranking."""
    options = []
    for edition_commune in (
        EditionCommune.objects.filter(edition_id=call.edition_id)
        .select_related("commune", "challenge")
        .defer("commune__geometry")
        .order_by("commune__name")
    ):
        challenge = getattr(edition_commune, "challenge", None)
        label = edition_commune.commune.name
        if challenge is not None:
            label = f"{label} — {challenge.title}"
        options.append((str(edition_commune.pk), label))
    return options


def ordinal(position):
    return _("1er choix") if position == 1 else _("%(n)se choix") % {"n": position}


def empty_value(question):
    return [] if question.kind in answer_rules.LIST_KINDS else ""


def _as_list(value):
    if value is None or value == "":
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def build_fields(
    questions, *, values, all_answers, organisation_kind, documents, ranking, upload_errors=None
):
    """Describe each question of a section for the template.

    `values` are what the fields show (stored answers, or what the person just
    posted when the page comes back with an error); `all_answers` and the applying
    organisation's kind decide which conditional questions are visible when the page loads.
    """
    upload_errors = upload_errors or {}
    choices = [value for value, _label in ranking]
    fields = []
    for question in questions:
        value = values.get(question.key)
        problem = (
            ""
            if question.kind == Question.Kind.DOCUMENT
            else answer_rules.typing_problem(question, value, ranking_choices=choices)
        )
        field = {
            "question": question,
            "kind": question.kind,
            "name": field_name(question),
            "id": f"q-{question.key}",
            "value": "" if value is None or isinstance(value, list) else value,
            "values": _as_list(value),
            "visible": answer_rules.is_visible(
                question, all_answers, organisation_kind=organisation_kind
            ),
            "help_id": f"q-{question.key}-help" if question.help_text else "",
            "problem": problem,
            "problem_id": f"q-{question.key}-problem",
        }
        config = question.config or {}
        if question.kind in CHOICE_KINDS:
            field["choices"] = answer_rules.choices_of(question)
        elif question.kind == Question.Kind.LONG_TEXT:
            field["max_chars"] = int(config.get("max_chars") or 5000)
        elif question.kind == Question.Kind.SHORT_TEXT:
            field["max_length"] = int(config.get("max_length") or 300)
        elif question.kind == Question.Kind.NUMBER:
            field["unit"] = config.get("unit", "")
            field["min"] = config.get("min")
            field["max"] = config.get("max")
        elif question.kind == Question.Kind.COMMUNE_RANKING:
            count = len(ranking)
            if config.get("max_ranked"):
                count = min(count, int(config["max_ranked"]))
            chosen = field["values"]
            field["slots"] = [
                {
                    "position": position,
                    "label": ordinal(position),
                    "id": f"q-{question.key}-{position}",
                    "selected": chosen[position - 1] if position <= len(chosen) else "",
                }
                for position in range(1, count + 1)
            ]
            field["options"] = ranking
        elif question.kind == Question.Kind.DOCUMENT:
            families = config.get("accepted") or files.DEFAULT_FAMILIES
            field["accept"] = files.accept_attribute(families)
            field["families"] = files.families_label(families)
            field["max_mb"] = config.get("max_size_mb") or files.DEFAULT_MAX_MB
            field["multiple"] = bool(config.get("multiple"))
            field["documents"] = documents.get(question.key, [])
            field["error"] = upload_errors.get(question.key, "")
        field["described_by"] = _described_by(field)
        fields.append(field)
    return fields


def _described_by(field):
    """The ids a control's aria-describedby names: help, counter or unit, then the problem."""
    ids = [field["help_id"]]
    if field["kind"] == Question.Kind.LONG_TEXT:
        ids.append(f"{field['id']}-counter")
    elif field["kind"] == Question.Kind.NUMBER and field.get("unit"):
        ids.append(f"{field['id']}-unit")
    if field["problem"]:
        ids.append(field["problem_id"])
    return " ".join(item for item in ids if item)


def typing_problems(questions, answers, keys, application):
    """{key: what is wrong with its answer, or ""} for the answers an autosave just saved.

    The call is read only for a ranking of communes: most saves need nothing but the form.
    """
    by_key = {question.key: question for question in questions}
    checked = [by_key[key] for key in keys if key in by_key]
    choices = []
    if any(question.kind == Question.Kind.COMMUNE_RANKING for question in checked):
        choices = [value for value, _label in ranking_options(application.call)]
    return {
        question.key: answer_rules.typing_problem(
            question, answers.get(question.key), ranking_choices=choices
        )
        for question in checked
    }


def requested_fields(requested, documents, *, upload_errors=None):
    """Upload slots for the documents a correction request asks for, as `build_fields` makes them.

    They take any document type the platform accepts, one file each (a new one
    replaces it), like a form's single-file document question with default settings.
    """
    upload_errors = upload_errors or {}
    families = files.DEFAULT_FAMILIES
    fields = []
    for item in requested:
        key = item.document_key
        fields.append(
            {
                "question": SimpleNamespace(
                    key=key,
                    label=item.label,
                    help_text=item.help_text,
                    condition_key="",
                    template_file=None,
                    required=True,
                ),
                "requested": item,
                "kind": Question.Kind.DOCUMENT,
                "visible": True,
                "help_id": f"q-{key}-help" if item.help_text else "",
                "accept": files.accept_attribute(families),
                "families": files.families_label(families),
                "max_mb": files.DEFAULT_MAX_MB,
                "multiple": False,
                "documents": documents.get(key, []),
                "error": upload_errors.get(key, ""),
            }
        )
    return fields


def read_original(post):
    """The answers the page was rendered with, as the page sent them back."""
    try:
        original = json.loads(post.get("original") or "{}")
    except ValueError:
        return {}
    return original if isinstance(original, dict) else {}


def posted_values(post, questions):
    """Raw posted value per question present in the POST (documents never come this way)."""
    found = {}
    for question in questions:
        if question.kind == Question.Kind.DOCUMENT:
            continue
        name = field_name(question)
        if name not in post:
            continue
        if question.kind in answer_rules.LIST_KINDS:
            found[question.key] = post.getlist(name)
        else:
            found[question.key] = post.get(name, "")
    return found


def changed_answers(post, questions):
    """What the person changed since the page was rendered: {key: raw value}."""
    original = read_original(post)
    by_key = {question.key: question for question in questions}
    changes = {}
    for key, raw in posted_values(post, questions).items():
        question = by_key[key]
        before = original.get(key)
        if before is None:
            before = empty_value(question)
        if answer_rules.normalise(question, raw) != answer_rules.normalise(question, before):
            changes[key] = raw
    return changes


def originals_for(questions, answers):
    """The `original` the page carries: the stored answer of each field it shows."""
    return {
        question.key: answers.get(question.key, empty_value(question))
        for question in questions
        if question.kind != Question.Kind.DOCUMENT
    }


def display_answer(question, value, *, ranking_labels=None):
    """An answer as a person reads it (summary, conflicts, acknowledgement)."""
    if answer_rules.is_empty(value):
        return ""
    if question.kind == Question.Kind.YES_NO:
        return {"yes": _("Oui"), "no": _("Non")}.get(value, str(value))
    if question.kind == Question.Kind.COMMUNE_RANKING:
        labels = ranking_labels or {}
        return "\n".join(
            f"{ordinal(position)} : {labels.get(str(item), item)}"
            for position, item in enumerate(_as_list(value), start=1)
        )
    if question.kind == Question.Kind.NUMBER and question.config.get("unit"):
        return f"{value} {question.config['unit']}"
    if question.kind == Question.Kind.DATE:
        try:
            return format_date(datetime.date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def describe_change(name, at):
    """Who changed an answer and when (Paris time), from `answers_meta` or a Conflict."""
    when = parse_datetime(at) if isinstance(at, str) and at else None
    if when is not None:
        if timezone.is_naive(when):
            when = timezone.make_aware(when, datetime.UTC)
        when = timezone.localtime(when)
    return {"name": name or _("une autre personne"), "at": when}


def answers_by_section(revision, answers, documents, call, *, organisation_kind):
    """Sections with the questions asked of this organisation, answers shown read-only."""
    sections = sections_of(revision)
    ranking = None
    rows = []
    for number, section in enumerate(sections, start=1):
        items = []
        for question in sorted(section.questions.all(), key=lambda q: (q.order, q.pk)):
            if not answer_rules.is_visible(question, answers, organisation_kind=organisation_kind):
                continue
            if question.kind == Question.Kind.COMMUNE_RANKING and ranking is None:
                ranking = dict(ranking_options(call))
            items.append(
                {
                    "question": question,
                    "documents": documents.get(question.key, [])
                    if question.kind == Question.Kind.DOCUMENT
                    else None,
                    "text": display_answer(
                        question, answers.get(question.key), ranking_labels=ranking
                    ),
                }
            )
        rows.append({"number": number, "section": section, "items": items})
    return rows


class ApplyForm(forms.Form):
    """Which of the person's organisations applies."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation qui candidate"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choisissez l'organisation qui candidate."),
            "invalid_choice": gettext_lazy("Choisissez une de vos organisations."),
        },
    )

    def __init__(self, *args, user, call, **kwargs):
        super().__init__(*args, **kwargs)
        mine = Organisation.objects.filter(memberships__user=user).order_by("name")
        self.fields["organisation"].queryset = mine
        self.eligible = [org for org in mine if org.kind in call.eligible_kinds]
        self.ineligible = [org for org in mine if org.kind not in call.eligible_kinds]
        if len(self.eligible) == 1 and not self.is_bound:
            self.initial["organisation"] = self.eligible[0].pk


def applications_of(user):
    """Every application of the person's organisations (all states)."""
    return Application.objects.filter(Q(organisation__memberships__user=user)).distinct()


class WithdrawForm(forms.Form):
    """The optional reason given when an applicant withdraws its file."""

    note = forms.CharField(
        label=gettext_lazy("Motif (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
