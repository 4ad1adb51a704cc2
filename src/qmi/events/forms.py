"""The public registration form for an event."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qmi.accounts.models import Organisation


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Commune, entreprise, association… Facultatif."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("La confirmation et le rappel de la veille y seront envoyés."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    @classmethod
    def initial_for(cls, user):
        """Prefilled from the account of a logged-in person."""
        if not user.is_authenticated:
            return {}
        organisation = (
            Organisation.objects.filter(memberships__user=user)
            .exclude(kind=Organisation.Kind.OPERATOR)
            .order_by("name")
            .values_list("name", flat=True)
            .first()
        )
        return {
            "name": user.get_full_name(),
            "email": user.email,
            "organisation_name": organisation or "",
        }
