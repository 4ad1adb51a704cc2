from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "qmi.review"
    label = "review"
    verbose_name = _("Évaluation et jury")

    def ready(self):
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — needs the app registry

        register_action_labels(
            {
                "criterion_added": _("critère ajouté à la grille"),
                "criterion_changed": _("critère de la grille modifié"),
                "criterion_removed": _("critère retiré de la grille"),
                "review_submitted": _("évaluation déposée"),
            }
        )
