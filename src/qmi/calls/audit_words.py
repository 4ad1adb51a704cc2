"""The words of what the calls' services write in audit entries, for the change logs.

Fields of the entry's own model (an application's state, a call's dates) are
named by the model itself; this names the rest: keys that are no field, and the
question's fields a call's entry records when its form changes.
"""

from django.utils.translation import gettext_lazy as _

from qmi.accounts.models import Organisation
from qmi.core.audit import register_change_labels
from qmi.core.files import FAMILIES

from .answers import ORGANISATION_KIND_KEY
from .models import Application, Call, FaqEntry, Question

FORM_QUESTION_ACTIONS = [
    "form_question_added",
    "form_question_updated",
    "form_question_moved",
    "form_question_deleted",
]


def register():
    """Called from CallsConfig.ready()."""
    register_change_labels(
        Application, fields={"labels": _("Étiquettes"), "staff_note": _("Note privée")}
    )
    # The FAQ (and the labels) are logged on their call.
    register_change_labels(
        Call,
        like=FaqEntry,
        fields={
            "section": _("Section"),
            "position": _("Position"),
            "question": _("Question"),
            "modèle": _("Modèle à télécharger"),
            "révision": _("Révision du formulaire"),
            "copié de": _("Copié de"),
            "copie": _("Copie"),
            "name": _("Nom de l'étiquette"),
            "colour": _("Couleur"),
            "applications": _("Dossiers"),
        },
        values={"eligible_kinds": dict(Organisation.Kind.choices)},
    )
    register_change_labels(
        Call,
        actions=FORM_QUESTION_ACTIONS,
        like=Question,
        # A question's settings (Question.config), named as in the builder.
        fields={
            "max_length": _("Longueur maximale (caractères)"),
            "max_chars": _("Nombre maximal de caractères"),
            "choices": _("Réponses possibles"),
            "min": _("Minimum"),
            "max": _("Maximum"),
            "unit": _("Unité"),
            "accepted": _("Documents acceptés"),
            "max_size_mb": _("Taille maximale par fichier (Mo)"),
            "multiple": _("Plusieurs fichiers possibles"),
            "max_ranked": _("Nombre maximal de communes classées"),
        },
        values={
            "condition_key": {ORGANISATION_KIND_KEY: _("Type d'organisation qui candidate")},
            "accepted": {key: label for key, (label, _types) in FAMILIES.items()},
        },
    )
