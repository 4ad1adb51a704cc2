from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organisation, User
from .services import ORGANISATION_FIELDS
from .validators import normalise_siret, validate_siren_or_siret


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up form: the name shown to colleagues."""

    full_name = forms.CharField(label=_("Nom complet"), max_length=150)

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]
        help_texts = {
            "full_name": _("Le nom que voient les autres membres de vos organisations."),
            "language": _("La langue des pages et des e-mails que la plateforme vous envoie."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"


class OrganisationForm(forms.ModelForm):
    """One form for every kind; the fields that do not apply to a kind are refused."""

    # Longer than the stored 14 digits so "732 829 320 00074" can be typed as printed.
    siret = forms.CharField(
        label=_("SIREN ou SIRET"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    # A text input, not type="url": browsers refuse "exemple.fr" before the server can
    # add the scheme (FORMS_URLFIELD_ASSUME_HTTPS), and people type addresses that way.
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        help_text=_("Par exemple « exemple.fr » : « https:// » est ajouté s'il manque."),
        error_messages={"invalid": _("Saisissez une adresse web valide, par exemple exemple.fr.")},
    )

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, allowed_kinds=None, can_set_commune=True, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_kinds is not None:
            self.fields["kind"].choices = [
                choice for choice in Organisation.Kind.choices if choice[0] in allowed_kinds
            ]
            if len(allowed_kinds) == 1:
                # Nothing to choose: shown for information, never taken from the request.
                self.fields["kind"].disabled = True
        if not can_set_commune:
            del self.fields["commune"]
        else:
            self.fields["commune"].queryset = self.fields["commune"].queryset.order_by("name")
        self.fields["legal_form"].help_text = _("Pour les expérimentateurs seulement.")
        self.fields["siret"].help_text = _(
            "9 chiffres (SIREN) ou 14 chiffres (SIRET), pour les organisations françaises ; "
            "les espaces sont acceptés."
        )

    def clean_siret(self):
        return normalise_siret(self.cleaned_data.get("siret"))

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or (self.instance.kind if self.instance.pk else None)
        country = data.get("country")
        if kind == Organisation.Kind.EXPERIMENTER and not data.get("legal_form"):
            self.add_error("legal_form", _("Indiquez la forme juridique de l'expérimentateur."))
        if kind != Organisation.Kind.EXPERIMENTER and data.get("legal_form"):
            self.add_error(
                "legal_form", _("La forme juridique ne s'indique que pour un expérimentateur.")
            )
        if "commune" in self.fields:
            if kind == Organisation.Kind.COMMUNE and not data.get("commune"):
                self.add_error("commune", _("Choisissez la commune que représente l'organisation."))
            if kind != Organisation.Kind.COMMUNE and data.get("commune"):
                self.add_error(
                    "commune", _("Seule une organisation de type commune a une commune.")
                )
        siret = data.get("siret")
        if siret and str(country) == "FR":
            try:
                validate_siren_or_siret(siret)
            except forms.ValidationError as error:
                self.add_error("siret", error)
        return data


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]
        labels = {"email": _("Adresse e-mail de la personne invitée")}
        help_texts = {
            "role": _(
                "Un administrateur peut modifier l'organisation, inviter et retirer des membres."
            ),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MemberRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]
