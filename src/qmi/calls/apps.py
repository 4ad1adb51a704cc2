from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "qmi.calls"
    label = "calls"
    verbose_name = _("Appels et candidatures")

    def ready(self):
        from qmi.core.audit import register_action_labels

        register_action_labels(
            {
                "form_published": _("formulaire publié"),
                "form_section_added": _("section ajoutée"),
                "form_section_updated": _("section modifiée"),
                "form_section_moved": _("section déplacée"),
                "form_section_deleted": _("section supprimée"),
                "form_question_added": _("question ajoutée"),
                "form_question_updated": _("question modifiée"),
                "form_question_moved": _("question déplacée"),
                "form_question_deleted": _("question supprimée"),
                "form_template_uploaded": _("modèle joint"),
                "form_template_removed": _("modèle retiré"),
                "duplicated": _("appel dupliqué"),
            }
        )
