"""Forms of the review pages; the services check and refuse, the forms carry what was typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qmi.accounts.models import User
from qmi.core.forms import ObjectsChoiceField
from qmi.programmes.models import EditionCommune, Theme

from .models import Juror, Phase


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = [
            "title",
            "scoring",
            "scope",
            "others_reviews",
            "identities_shown",
            "reviews_per_application",
            "closes_at",
        ]
        widgets = {
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }


class CriterionForm(forms.Form):
    label = forms.CharField(label=_("Critère"), max_length=200)
    help_text = forms.CharField(
        label=_("Aide pour les jurés"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.CharField(label=_("Poids"), initial="1", max_length=10)
    scale_min = forms.CharField(label=_("Note minimale"), initial="0", max_length=4)
    scale_max = forms.CharField(label=_("Note maximale"), initial="5", max_length=4)
    level_labels = forms.CharField(
        label=_("Libellés des niveaux"),
        required=False,
        help_text=_("Un niveau par ligne : « 0 = Absent », « 5 = Excellent »."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=_("Obligatoire"), required=False, initial=True)
    information_only = forms.BooleanField(
        label=_("Pour information (ne compte pas dans le total)"), required=False
    )

    def clean_level_labels(self):
        labels = {}
        for line in self.cleaned_data["level_labels"].splitlines():
            if not line.strip():
                continue
            level, separator, text = line.partition("=")
            if not separator:
                raise forms.ValidationError(_("Écrivez chaque libellé ainsi : « 5 = Excellent »."))
            labels[level.strip()] = text.strip()
        return labels

    @staticmethod
    def initial_for(criterion):
        return {
            "label": criterion.label,
            "help_text": criterion.help_text,
            "weight": str(criterion.weight).replace(".", ","),
            "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max,
            "level_labels": "\n".join(
                f"{k} = {v}"
                for k, v in sorted(criterion.level_labels.items(), key=lambda i: int(i[0]))
            ),
            "required": criterion.required,
            "information_only": criterion.information_only,
        }


class JurorForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne"),
        help_text=_("Elle doit déjà avoir un compte sur la plateforme."),
    )
    kind = forms.ChoiceField(label=_("Qualité"), choices=Juror.Kind.choices)
    capacity = forms.IntegerField(
        label=_("Dossiers au plus"), min_value=1, max_value=500, initial=10
    )
    themes = ObjectsChoiceField(
        label=_("Expertise : thèmes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communes = ObjectsChoiceField(
        label=_("Expertise : communes"),
        queryset=EditionCommune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["communes"].queryset = (
            EditionCommune.objects.filter(edition_id=call.edition_id)
            .select_related("commune")
            .order_by("commune__name")
        )
        self.fields["communes"].label_from_instance = lambda commune: commune.commune.name

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("Aucun compte actif n'a cette adresse : invitez d'abord la personne.")
            )
        self.user = user
        return email


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Nature du conflit d'intérêts"),
        max_length=500,
        help_text=_("Par exemple : « J'ai travaillé avec cette entreprise l'an dernier. »"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExpertInvitationForm(forms.Form):
    """An expert invited by e-mail: the juror exists once they accept."""

    email = forms.EmailField(
        label=_("Adresse e-mail de l'expert"),
        help_text=_("Un compte n'est pas nécessaire : la personne le crée en acceptant."),
    )
    full_name = forms.CharField(label=_("Nom de l'expert"), max_length=150)
    capacity = forms.IntegerField(
        label=_("Dossiers au plus"), min_value=1, max_value=500, initial=10
    )
    themes = ObjectsChoiceField(
        label=_("Expertise : thèmes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.order_by("name")
        self.fields["email"].widget.attrs["autocomplete"] = "off"
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
