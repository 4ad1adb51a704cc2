from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top layer: what gathers every app for a person (the homes, the header counters)."""

    name = "qmi.portal"
    label = "portal"
    verbose_name = _("Portail")

    def ready(self):
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — needs the app registry

        register_action_labels(
            {
                "data_exported": _("téléchargement de ses données"),
                "account_deleted": _("suppression du compte"),
            }
        )
