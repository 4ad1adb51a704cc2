from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organisation, User
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


class OrganisationForm(forms.ModelForm):
    """One form for every kind; the fields that do not apply to a kind are refused."""

    class Meta:
        model = Organisation
        fields = ["name", "kind", "legal_form", "country", "siret", "commune", "website", "description"]

    def __init__(self, *args, allowed_kinds=None, can_set_commune=True, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed_kinds is not None:
            self.fields["kind"].choices = [
                choice for choice in Organisation.Kind.choices if choice[0] in allowed_kinds
            ]
        if not can_set_commune:
            del self.fields["commune"]
        else:
            self.fields["commune"].queryset = self.fields["commune"].queryset.order_by("name")
        self.fields["legal_form"].help_text = _("Pour les expérimentateurs seulement.")

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
                self.add_error("commune", _("Seule une organisation de type commune a une commune."))
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


class MemberRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]
