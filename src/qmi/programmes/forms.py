from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qmi.accounts.models import User

from . import geo
from .models import Challenge, Commune, CommuneRole, Edition, EditionCommune, Phase, Theme
from .services import CHALLENGE_FIELDS, EDITION_FIELDS, PHASE_FIELDS, check_phase_dates


class EditionForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = EDITION_FIELDS


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = PHASE_FIELDS
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, edition, **kwargs):
        self.edition = edition
        super().__init__(*args, **kwargs)
        self.instance.edition = edition

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if (
            kind
            and Phase.objects.filter(edition=self.edition, kind=kind)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("kind", _("Cette édition a déjà une phase de ce type."))
        for field, message in check_phase_dates(
            edition=self.edition,
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            exclude_pk=self.instance.pk,
        ).items():
            self.add_error(field, message)
        return data

    def validate_unique(self):
        # Uniqueness of the kind is checked in clean() with a clearer message.
        pass


class AddCommuneForm(forms.ModelForm):
    class Meta:
        model = EditionCommune
        fields = ["commune", "district"]

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = Commune.objects.exclude(
            editions__edition=edition
        ).order_by("name")
        self.fields["commune"].empty_label = _("Choisissez une commune")


class DistrictForm(forms.Form):
    district = forms.CharField(
        label=_("Quartier"),
        max_length=150,
        required=False,
        help_text=_("Par exemple « Blagis »."),
    )


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = CHALLENGE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.order_by("order")
        self.fields["theme"].empty_label = _("Choisissez un thème")
        self.fields["theme"].required = True


class SectorForm(forms.Form):
    """A sector drawn on the map (the drawing fills `geometry`) or uploaded as a file."""

    name = forms.CharField(label=_("Nom du secteur"), max_length=150)
    geometry = forms.CharField(
        label=_("Contour GeoJSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Dessinez le contour sur la carte, collez du GeoJSON ou envoyez un fichier."),
    )
    upload = forms.FileField(
        label=_("Fichier GeoJSON"),
        required=False,
        help_text=_("Fichier .geojson ou .json en WGS 84 (EPSG:4326)."),
    )

    def __init__(self, *args, commune, **kwargs):
        self.commune = commune
        super().__init__(*args, **kwargs)
        self.fields["upload"].widget.attrs["accept"] = (
            ".geojson,.json,application/geo+json,application/json"
        )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > settings.QMI_SECTOR_MAX_BYTES:
            raise ValidationError(
                _("Le fichier est trop volumineux (%(size)s Ko au maximum).")
                % {"size": settings.QMI_SECTOR_MAX_BYTES // 1024}
            )
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        text = data.get("geometry") or ""
        field = "geometry"
        if upload:
            field = "upload"
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", _("Le fichier n'est pas un texte GeoJSON (UTF-8)."))
                return data
        if not text.strip():
            if "upload" not in self.errors:
                self.add_error(
                    "geometry",
                    _("Dessinez le secteur sur la carte ou fournissez un fichier GeoJSON."),
                )
            return data
        try:
            clean = geo.parse_sector(
                text,
                max_bytes=settings.QMI_SECTOR_MAX_BYTES,
                commune_geometry=self.commune.geometry or None,
            )
        except ValidationError as error:
            self.add_error(field, error)
            return data
        data["clean_geometry"] = clean
        data["area_hectares"] = geo.area_hectares(clean)
        return data


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Personne"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Rôle"), choices=CommuneRole.Role.choices)

    def __init__(self, *args, edition_commune, **kwargs):
        super().__init__(*args, **kwargs)
        # The team is drawn from the commune's own organisation.
        self.fields["user"].queryset = User.objects.filter(
            memberships__organisation__commune=edition_commune.commune_id
        ).order_by("full_name", "email")
        self.fields["user"].empty_label = _("Choisissez un membre de la commune")


class StageMoveForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour revenir à l'étape précédente."),
    )
