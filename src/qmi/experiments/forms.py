from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Status

NOTE_LENGTH = 5000


class ExperimentFilterForm(forms.Form):
    """The list's filters; choices come from the experiments the person may see."""

    edition = forms.TypedChoiceField(
        label=_("Édition"), required=False, coerce=int, empty_value=None
    )
    commune = forms.TypedChoiceField(
        label=_("Commune"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous")), *Status.choices]
    )

    def __init__(self, *args, editions, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].choices = [("", _("Toutes")), *((e.pk, e.title) for e in editions)]
        self.fields["commune"].choices = [
            ("", _("Toutes")),
            *((c.pk, f"{c.commune.name} — {c.edition.title}") for c in communes),
        ]

    def filters(self):
        """The valid filters as queryset lookups; an invalid value filters nothing."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        lookups = {
            "edition_id": data.get("edition"),
            "edition_commune_id": data.get("commune"),
            "status": data.get("status") or None,
        }
        return {key: value for key, value in lookups.items() if value is not None}


class StatusChangeForm(forms.Form):
    """One of the moves the table allows now, with its note (required to stop or withdraw)."""

    target = forms.ChoiceField(label=_("Nouvel état"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note ou motif"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour arrêter l'expérimentation ou constater un désistement."),
    )

    def __init__(self, *args, moves, **kwargs):
        super().__init__(*args, **kwargs)
        self.moves = {move.target: move for move in moves}
        self.fields["target"].choices = [
            (move.target, f"{move.label} → « {Status(move.target).label} »") for move in moves
        ]

    def clean(self):
        cleaned = super().clean()
        move = self.moves.get(cleaned.get("target"))
        if move is not None and move.note_required and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Expliquez ce changement d'état : la note est obligatoire."))
        return cleaned
