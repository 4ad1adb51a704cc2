"""Forms of the form builder and of call duplication: they shape input, the services judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qmi.core.files import FAMILIES
from qmi.programmes.models import Edition

from ..answers import ORGANISATION_KIND_KEY
from ..models import Call, Question
from ..services.builder import CONFIG_KEYS, condition_options
from .staff import ParisDateTimeField

Kind = Question.Kind


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Titre de la section"), max_length=200)
    description = forms.CharField(
        label=_("Consigne"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Affichée sous le titre de la section, pour guider les candidats."),
    )


class ConditionValueSelect(forms.Select):
    """The expected answers grouped by source; each option names its source for builder.js.

    builder.js shows only the group of the source chosen above; without script the
    groups say which answers belong to which question, and the service checks the pair.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_keys = []

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        for group_name, options, index in groups:
            key = self.group_keys[index - 1] if group_name and index >= 1 else ""
            for option in options:
                if key:
                    option["attrs"]["data-source"] = key
        return groups


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de question"), choices=Kind.choices)
    label = forms.CharField(label=_("Intitulé"), max_length=300)
    key = forms.CharField(
        label=_("Clé"),
        max_length=60,
        required=False,
        help_text=_(
            "Identifiant stable de la réponse (lettres minuscules, chiffres, tirets), unique dans le "
            "formulaire ; proposée d'après l'intitulé si vous la laissez vide. Les brouillons gardent "
            "leurs réponses d'une révision à l'autre grâce à elle : évitez de la changer après publication."
        ),
    )
    help_text = forms.CharField(
        label=_("Aide"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False, initial=True)
    # Kind-specific settings (Question.config); the builder shows those of the chosen kind.
    max_length = forms.IntegerField(
        label=_("Longueur maximale (caractères)"), required=False, min_value=1
    )
    max_chars = forms.IntegerField(
        label=_("Nombre maximal de caractères"), required=False, min_value=1
    )
    choices = forms.CharField(
        label=_("Réponses possibles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Une réponse par ligne."),
    )
    min = forms.CharField(label=_("Minimum"), required=False, max_length=30)
    max = forms.CharField(label=_("Maximum"), required=False, max_length=30)
    unit = forms.CharField(
        label=_("Unité"), required=False, max_length=30, help_text=_("Par exemple « € » ou « m² ».")
    )
    accepted = forms.MultipleChoiceField(
        label=_("Documents acceptés"),
        required=False,
        choices=[(key, label) for key, (label, _types) in FAMILIES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    max_size_mb = forms.IntegerField(
        label=_("Taille maximale par fichier (Mo)"), required=False, min_value=1
    )
    multiple = forms.BooleanField(label=_("Plusieurs fichiers possibles"), required=False)
    max_ranked = forms.IntegerField(
        label=_("Nombre maximal de communes classées"), required=False, min_value=1
    )
    condition_key = forms.CharField(
        label=_("Afficher seulement si la question…"),
        required=False,
        widget=forms.Select,
        help_text=_(
            "Le type d'organisation qui candidate, ou une question à choix ou oui/non placée "
            "avant celle-ci."
        ),
    )
    condition_value = forms.CharField(
        label=_("… a reçu la réponse"),
        required=False,
        max_length=200,
        widget=ConditionValueSelect,
        help_text=_("L'une des réponses possibles à la question choisie."),
    )

    # Which settings appear for which kinds (the template hides the others with builder.js).
    GROUPS = [
        (name, [kind for kind, keys in CONFIG_KEYS.items() if name in keys])
        for name in [
            "max_length",
            "max_chars",
            "choices",
            "min",
            "max",
            "unit",
            "accepted",
            "max_size_mb",
            "multiple",
            "max_ranked",
        ]
    ]

    def __init__(self, *args, sources=(), question=None, **kwargs):
        """`sources`: what a condition may read (services.builder.condition_sources)."""
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(question)
        elif question is None:
            # A new document question accepts PDF unless staff say otherwise.
            kwargs.setdefault("initial", {}).setdefault("accepted", ["pdf"])
        super().__init__(*args, **kwargs)
        self.fields["condition_key"].widget.choices = [("", _("— toujours afficher —"))] + [
            (q.key, q.label if q.key == ORGANISATION_KIND_KEY else f"{q.label} ({q.key})")
            for q in sources
        ]
        value_widget = self.fields["condition_value"].widget
        value_widget.choices = [("", _("— choisissez d'abord la question —"))] + [
            (q.label, condition_options(q)) for q in sources
        ]
        value_widget.group_keys = [q.key for q in sources]
        value_widget.attrs["data-condition-value"] = ""
        value_widget.attrs.pop("maxlength", None)  # not an attribute of <select>
        self.fields["key"].widget.attrs["data-key-from"] = "id_label"
        self.fields["key"].widget.attrs["pattern"] = "[a-z0-9_-]+"
        self.fields["kind"].widget.attrs["data-kind-select"] = ""

    @staticmethod
    def initial_from(question):
        config = question.config or {}
        initial = {
            "kind": question.kind,
            "label": question.label,
            "key": question.key,
            "help_text": question.help_text,
            "required": question.required,
            "condition_key": question.condition_key,
            "condition_value": question.condition_value if question.condition_key else "",
        }
        for name in [
            "max_length",
            "max_chars",
            "min",
            "max",
            "unit",
            "accepted",
            "max_size_mb",
            "multiple",
            "max_ranked",
        ]:
            if name in config:
                initial[name] = config[name]
        initial["choices"] = "\n".join(config.get("choices", []))
        return initial

    def kind_groups(self):
        """(bound field, space-separated kinds) for the template's data-kinds attributes."""
        return [(self[name], " ".join(kinds)) for name, kinds in self.GROUPS]

    def common_fields(self):
        return [self[name] for name in ["kind", "label", "key", "help_text", "required"]]

    def values(self):
        data = self.cleaned_data
        config = {
            name: data.get(name)
            for name in [
                "max_length",
                "max_chars",
                "min",
                "max",
                "unit",
                "accepted",
                "max_size_mb",
                "multiple",
                "max_ranked",
            ]
        }
        config["choices"] = [
            line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()
        ]
        return {
            "kind": data["kind"],
            "label": data["label"],
            "key": data.get("key", ""),
            "help_text": data.get("help_text", ""),
            "required": data.get("required", False),
            "config": config,
            "condition_key": data.get("condition_key", ""),
            "condition_value": data.get("condition_value", ""),
        }


class TemplateUploadForm(forms.Form):
    template = forms.FileField(
        label=_("Modèle à télécharger"),
        help_text=_(
            "PDF, Word ou OpenDocument, 10 Mo au plus. Les candidats pourront le télécharger."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )


class DuplicateCallForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Édition du nouvel appel"), queryset=Edition.objects.none()
    )
    title = forms.CharField(label=_("Titre"), max_length=200)
    slug = forms.SlugField(
        label=_("Identifiant"),
        max_length=80,
        help_text=_("Utilisé dans l'adresse de la page publique."),
    )
    opens_at = ParisDateTimeField(label=_("Ouverture (heure de Paris)"), help_text="")
    closes_at = ParisDateTimeField(label=_("Clôture (heure de Paris)"), help_text="")
    reference_prefix = forms.CharField(
        label=_("Préfixe des numéros de dossier"),
        max_length=12,
        help_text=_("Par exemple « AMI3 » : les dossiers seront numérotés AMI3-0001, AMI3-0002…"),
    )

    def __init__(self, *args, source, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "edition": source.edition_id,
                "title": source.title,
                "slug": f"{source.slug}-copie"[:80],
                "reference_prefix": "",
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = Edition.objects.select_related("programme").order_by(
            "-number"
        )

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Call.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Un autre appel utilise déjà cet identifiant."))
        return slug

    def clean_reference_prefix(self):
        prefix = self.cleaned_data["reference_prefix"].strip()
        if Call.objects.filter(reference_prefix__iexact=prefix).exists():
            raise forms.ValidationError(
                _("Ce préfixe est déjà utilisé par un autre appel : les numéros se confondraient.")
            )
        return prefix

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("La clôture doit venir après l'ouverture."))
        return data
