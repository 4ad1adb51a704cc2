from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "qmi.programmes"
    label = "programmes"
    verbose_name = _("Programmes et éditions")

    def ready(self):
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — needs the app registry

        register_action_labels(
            {"team_added": _("ajout à l'équipe"), "team_removed": _("retrait de l'équipe")}
        )
