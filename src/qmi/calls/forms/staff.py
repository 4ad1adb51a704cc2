"""Back-office forms for calls and applications (operator staff)."""

import datetime
import json

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from qmi.accounts.models import Organisation
from qmi.events.models import Event
from qmi.events.services import EVENT_FIELDS
from qmi.programmes.models import EditionCommune, Theme

from ..funnel import kept_countries, theme_questions
from ..html import clean_html
from ..models import Application, Call, FaqEntry, Label, Question
from ..services.calls import CALL_FIELDS
from ..services.faq import FAQ_FIELDS
from ..services.labels import LABEL_FIELDS

# Seconds are shown and sent back (step=1): a deadline at 23:59:59 stays 23:59:59
# when the form is saved for another field.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M:%S"


def _paris():
    return timezone.get_default_timezone()


def local_time_kind(naive, zone):
    """The kind of a Paris wall time: ok, ambiguous (autumn night) or nonexistent (spring)."""
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "ok"
    # A wall time that does not survive a round trip through UTC does not exist.
    back = first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
    return "ambiguous" if back == naive.replace(fold=0) else "nonexistent"


def _offset_label(moment):
    offset = moment.utcoffset()
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    name = _("heure d'été") if moment.dst() else _("heure d'hiver")
    return f"{name} (UTC+{hours:02d}:{minutes:02d})"


class _Typed(str):
    """The text typed in a date field, with the choice made for an ambiguous time."""

    fold = None


class ParisDateTimeInput(forms.DateTimeInput):
    """A datetime-local input with seconds; for a time that happens twice (the night the
    clocks go back), a choice between summer and winter time is shown under it."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": "1", **(attrs or {})}, format=DATETIME_LOCAL)
        self.parse = None  # set by the field: text -> naive datetime or None

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None or not isinstance(text, str):
            return text
        typed = _Typed(text)
        fold = data.get(f"{name}_fold")
        typed.fold = int(fold) if fold in ("0", "1") else None
        return typed

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if isinstance(value, datetime.datetime):
            naive, chosen = value, value.fold
        elif isinstance(value, str) and self.parse:
            naive, chosen = self.parse(value), getattr(value, "fold", None)
        else:
            naive = None
        if naive is None or naive.tzinfo or local_time_kind(naive, _paris()) != "ambiguous":
            return html
        return html + self._fold_choice(name, naive, chosen, (attrs or {}).get("id") or name)

    def _fold_choice(self, name, naive, chosen, field_id):
        options = format_html_join(
            "",
            '<label class="choice"><input type="radio" name="{}" value="{}" id="{}_fold_{}"{}>'
            " {}</label>",
            (
                (
                    f"{name}_fold",
                    fold,
                    field_id,
                    fold,
                    mark_safe(" checked") if chosen == fold else "",
                    _offset_label(naive.replace(tzinfo=_paris(), fold=fold)),
                )
                for fold in (0, 1)
            ),
        )
        legend = _("Le %(date)s à %(time)s a lieu deux fois (passage à l'heure d'hiver) :") % {
            "date": date_format(naive, "j F Y"),
            "time": naive.strftime("%H:%M"),
        }
        return format_html(
            '<fieldset class="fold-choice" id="{}_fold"><legend>{}</legend>{}</fieldset>',
            field_id,
            legend,
            options,
        )


class ParisDateTimeField(forms.DateTimeField):
    """A datetime-local input read and shown in Paris time, whatever the active time zone.

    Seconds are kept, so an untouched value comes back exactly. A time that does not
    exist in Paris (the spring night, 2:00 to 3:00) is refused with its own message;
    a time that happens twice (the autumn night, 2:00 to 3:00) asks which one.
    """

    widget = ParisDateTimeInput
    input_formats = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"]
    default_error_messages = {
        "nonexistent": _(
            "Le %(date)s à %(time)s n'existe pas à Paris : cette nuit-là, les horloges "
            "passent de 2 h à 3 h (heure d'été). Choisissez une autre heure."
        ),
        "ambiguous": _(
            "Le %(date)s à %(time)s a lieu deux fois à Paris : cette nuit-là, les horloges "
            "reviennent de 3 h à 2 h (heure d'hiver). Indiquez ci-dessous s'il s'agit de "
            "l'heure d'été ou de l'heure d'hiver."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Heure de Paris."))
        super().__init__(**kwargs)
        self.widget.parse = self.parse_local

    def parse_local(self, text):
        """The naive wall-clock time written in `text`, or None when it is not a date."""
        text = str(text).strip()
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            for pattern in self.input_formats:
                try:
                    moment = datetime.datetime.strptime(text, pattern)
                    break
                except (ValueError, TypeError):
                    continue
        return moment

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            moment, fold = value, value.fold
        else:
            moment, fold = self.parse_local(value), getattr(value, "fold", None)
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_aware(moment):
            try:
                return moment.astimezone(datetime.UTC)
            except (OverflowError, ValueError):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return self._make_aware(moment, fold)

    def _make_aware(self, naive, fold):
        zone = _paris()
        try:
            kind = local_time_kind(naive, zone)  # out of range near year 1 or 9999
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        params = {"date": date_format(naive, "j F Y"), "time": naive.strftime("%H:%M")}
        if kind == "nonexistent":
            raise ValidationError(self.error_messages["nonexistent"], "nonexistent", params)
        if kind == "ambiguous" and fold is None:
            raise ValidationError(self.error_messages["ambiguous"], "ambiguous", params)
        # In UTC: what the database gives back, so an untouched value compares equal (and
        # a time in the autumn fold compares at all: PEP 495 makes it unequal across zones).
        try:
            return naive.replace(tzinfo=zone, fold=fold or 0).astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            # localtime() sets `fold` on the second 2:30 of an autumn night.
            return timezone.localtime(value, _paris()).replace(tzinfo=None)
        return value


def applicant_kinds():
    return [
        (v, label) for v, label in Organisation.Kind.choices if v not in Organisation.STAFF_KINDS
    ]


class CallForm(forms.ModelForm):
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Qui peut candidater"),
        choices=applicant_kinds,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un type d'organisation.")},
    )
    opens_at = ParisDateTimeField(label=_("Ouverture"))
    closes_at = ParisDateTimeField(
        label=_("Clôture"),
        help_text=_("Dernier instant où un dossier peut être déposé (heure de Paris)."),
    )

    class Meta:
        model = Call
        fields = CALL_FIELDS
        widgets = {
            "presentation": forms.Textarea(attrs={"rows": 10}),
            "criteria": forms.Textarea(attrs={"rows": 6}),
            "presentation_en": forms.Textarea(attrs={"rows": 10}),
            "criteria_en": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "presentation": _(
                "Balises permises : paragraphes, gras, italique, listes, liens, intertitres "
                "(h2, h3) et citations. Le reste est retiré à l'enregistrement."
            ),
            "title_en": _(
                "Facultatif : montré aux personnes qui ont choisi l'anglais (appel ouvert à "
                "l'international). Sans traduction, elles lisent le texte français."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].empty_label = _("Choisissez une édition")

    def clean_presentation(self):
        return clean_html(self.cleaned_data.get("presentation", ""))

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La clôture doit être postérieure à l'ouverture."))
        return data


class CallMoveForm(forms.Form):
    target = forms.ChoiceField(choices=Call.Status.choices)
    note = forms.CharField(required=False, max_length=2000)


class SessionForm(forms.ModelForm):
    starts_at = ParisDateTimeField(label=_("Début"))
    ends_at = ParisDateTimeField(label=_("Fin"))

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        help_texts = {
            "link": _("Lien de connexion ou d'inscription (https://…)."),
            "location": _("Adresse, si la réunion a lieu en personne."),
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("La fin doit être postérieure au début."))
        return data


class FaqForm(forms.ModelForm):
    class Meta:
        model = FaqEntry
        fields = FAQ_FIELDS
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 5}),
        }


# Examination -----------------------------------------------------------------


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("Ce qui manque ou doit être corrigé"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Dites ce qui manque ou doit être corrigé.")},
    )
    due_at = ParisDateTimeField(
        label=_("À corriger avant le"),
        error_messages={"required": _("Indiquez la date limite de correction.")},
    )

    # Documents the form did not have (a Kbis…): each filled row becomes an upload slot.
    REQUESTED_ROWS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, self.REQUESTED_ROWS + 1):
            self.fields[f"document_{number}"] = forms.CharField(
                label=_("Pièce à demander en plus du formulaire n° %(number)s (facultatif)")
                % {"number": number},
                help_text=_("Par exemple : extrait Kbis de moins de trois mois.")
                if number == 1
                else "",
                required=False,
                max_length=200,
            )
            self.fields[f"document_{number}_help"] = forms.CharField(
                label=_("Précisions sur la pièce n° %(number)s (facultatif)") % {"number": number},
                required=False,
                max_length=1000,
            )

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at <= timezone.now():
            raise forms.ValidationError(_("La date limite doit être dans le futur."))
        return due_at

    def clean(self):
        cleaned = super().clean()
        for number in range(1, self.REQUESTED_ROWS + 1):
            if cleaned.get(f"document_{number}_help") and not cleaned.get(f"document_{number}"):
                self.add_error(f"document_{number}", _("Donnez un intitulé à la pièce demandée."))
        return cleaned

    def requested_documents(self):
        """(label, help text) of each document asked for, in the order typed."""
        return [
            (self.cleaned_data[f"document_{n}"], self.cleaned_data[f"document_{n}_help"])
            for n in range(1, self.REQUESTED_ROWS + 1)
            if self.cleaned_data.get(f"document_{n}")
        ]


class InadmissibleForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'irrecevabilité"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Le motif est obligatoire : il est envoyé au candidat.")},
    )


# The applications list ---------------------------------------------------------

SORTS = {
    "reference": ("reference", _("Numéro")),
    "organisation": ("organisation__name", _("Organisation")),
    "submitted_at": ("submitted_at", _("Date de dépôt")),
    "status": ("status", _("État")),
}
SORT_CHOICES = [("", _("Plus récents d'abord"))] + [
    choice
    for key, (_field, label) in SORTS.items()
    # Formatted when shown, not at import: in the language of each request.
    for choice in ((key, label), (f"-{key}", format_lazy(_("{label} (décroissant)"), label=label)))
]

# Columns a person may show in the list; "q:<key>" adds a question's answer.
BASE_COLUMNS = [
    ("kind", _("Type")),
    ("country", _("Pays")),
    ("status", _("État")),
    ("submitted_at", _("Déposé le")),
    ("updated_at", _("Modifié le")),
]
DEFAULT_COLUMNS = ["kind", "country", "status", "submitted_at"]


def ranking_keys(call):
    return sorted(
        set(
            Question.objects.filter(
                section__revision__call=call, kind=Question.Kind.COMMUNE_RANKING
            ).values_list("key", flat=True)
        )
    )


def sort_applications(queryset, sort):
    """Order by a key of SORTS ("-" first for descending), else the most recent first."""
    key = sort.lstrip("-")
    if key in SORTS:
        field = SORTS[key][0]
        return queryset.order_by(f"-{field}" if sort.startswith("-") else field, "pk")
    return queryset.order_by("-created_at", "-pk")


class ApplicationFilterForm(forms.Form):
    """Filters of a call's applications, shared by the list and its CSV export."""

    status = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous")), *Application.Status.choices]
    )
    kind = forms.ChoiceField(label=_("Type d'organisation"), required=False)
    commune = forms.TypedChoiceField(
        label=_("Commune souhaitée"), required=False, coerce=int, empty_value=None
    )
    country = forms.ChoiceField(label=_("Pays"), required=False)
    complete = forms.ChoiceField(
        label=_("Complet"),
        required=False,
        choices=[("", _("Peu importe")), ("yes", _("Complet")), ("no", _("Pas complet"))],
    )
    q = forms.CharField(
        label=_("Recherche"),
        required=False,
        max_length=100,
        help_text=_("Numéro, organisation ou texte des réponses"),
    )
    label = forms.TypedChoiceField(
        label=_("Étiquette"), required=False, coerce=int, empty_value=None
    )
    theme = forms.TypedChoiceField(label=_("Thème"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(label=_("Tri"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["kind"].choices = [("", _("Tous")), *applicant_kinds()]
        self.fields["label"].choices = [
            ("", _("Toutes")),
            *call.labels.order_by("name", "pk").values_list("pk", "name"),
        ]
        self.fields["theme"].choices = [
            ("", _("Tous")),
            *Theme.objects.order_by("order", "name").values_list("pk", "name"),
        ]
        self.fields["commune"].choices = [("", _("Toutes"))] + [
            (ec.pk, ec.commune.name)
            for ec in EditionCommune.objects.filter(edition_id=call.edition_id)
            .select_related("commune")
            .order_by("commune__name")
        ]
        # Only the countries of this call's applicants: a short list, kept (calls.funnel).
        present = kept_countries(call)
        self.fields["country"].choices = [
            ("", _("Tous")),
            *sorted(((code, countries.name(code)) for code in present), key=lambda c: c[1]),
        ]

    def is_filtered(self):
        data = getattr(self, "cleaned_data", {})
        return any(
            data.get(name)
            for name in ("status", "kind", "commune", "country", "complete", "q", "label", "theme")
        )

    def filter(self, queryset):
        """Apply the valid filters to `queryset` (invalid values are ignored)."""
        if not self.is_bound:
            return queryset.order_by("-created_at", "-pk")
        self.is_valid()
        data = self.cleaned_data
        return sort_applications(self._narrow(queryset, data), data.get("sort") or "")

    def _narrow(self, queryset, data):
        """The applications matching every filter given in `data`."""
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("kind"):
            queryset = queryset.filter(organisation__kind=data["kind"])
        if data.get("country"):
            queryset = queryset.filter(organisation__country=data["country"])
        if data.get("complete") == "yes":
            queryset = queryset.filter(status=Application.Status.COMPLETE)
        elif data.get("complete") == "no":
            queryset = queryset.exclude(status=Application.Status.COMPLETE)
        if data.get("commune"):
            queryset = self._filter_commune(queryset, data["commune"])
        if data.get("q"):
            queryset = queryset.filter(_search(data["q"]))
        if data.get("label"):
            queryset = queryset.filter(label_links__label_id=data["label"])
        if data.get("theme"):
            queryset = self._filter_theme(queryset, data["theme"])
        return queryset

    def _filter_theme(self, queryset, theme_id):
        """Applications aiming at a theme, by the rule of calls/funnel.py.

        A call for projects: a ranked commune's challenge has the theme. An
        expression of interest: a single-choice question of theme names is
        answered with it.
        """
        theme = Theme.objects.get(pk=theme_id)
        names = set(Theme.objects.values_list("name", flat=True))
        _ranking, choice_keys = theme_questions([self.call], names).get(self.call.pk, ([], []))
        condition = Q(pk__in=[])
        for key in choice_keys:
            condition |= Q(**{f"answers__{key}": theme.name})
        communes = list(
            EditionCommune.objects.filter(
                edition_id=self.call.edition_id, challenge__theme=theme
            ).values_list("pk", flat=True)
        )
        if communes:
            condition |= Q(pk__in=self._filter_commune(queryset, *communes).values("pk"))
        return queryset.filter(condition)

    def _filter_commune(self, queryset, *edition_commune_ids):
        """Applications whose commune ranking (any ranking question) names this commune.

        A ranking is stored as a JSON list of EditionCommune ids as strings,
        e.g. ["12", "7"]. Reading the key as JSON text (`->>` on PostgreSQL and
        SQLite alike) and looking for the quoted id `"12"` in it is exact (the
        quotes stop "12" matching "112") and behaves the same on both
        databases, unlike JSON containment which SQLite lacks. It scans the
        call's rows, which the (call, status) index already narrows.
        """
        keys = ranking_keys(self.call)
        if not keys:
            return queryset.none()
        aliases = {f"ranking_{i}": KeyTextTransform(key, "answers") for i, key in enumerate(keys)}
        condition = Q()
        for alias in aliases:
            for edition_commune_id in edition_commune_ids:
                condition |= Q(**{f"{alias}__contains": f'"{edition_commune_id}"'})
        return queryset.alias(**aliases).filter(condition)


def _search(text):
    """Reference, organisation name, or any answer's text, case-insensitively.

    Answers are searched in their stored JSON text: SQLite keeps non-ASCII
    characters \\u-escaped there, so the escaped form is searched too.
    """
    condition = (
        Q(reference__icontains=text)
        | Q(organisation__name__icontains=text)
        | Q(answers__icontains=text)
    )
    escaped = json.dumps(text)[1:-1]
    if escaped != text:
        condition |= Q(answers__icontains=escaped)
    return condition


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Colonnes affichées"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = column_choices(questions)


def column_choices(questions):
    return list(BASE_COLUMNS) + [
        (f"q:{question.key}", question.label)
        for question in questions
        if question.kind != Question.Kind.DOCUMENT
    ]


class LabelForm(forms.ModelForm):
    class Meta:
        model = Label
        fields = LABEL_FIELDS
        widgets = {"colour": forms.RadioSelect}
        labels = {"name": _("Nom"), "colour": _("Couleur")}


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note privée"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Visible par l'équipe de l'opérateur seulement, jamais par le candidat."),
        error_messages={"required": _("La note est vide.")},
    )
