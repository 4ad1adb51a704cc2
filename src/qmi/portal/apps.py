from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top layer: what gathers every app for a person (the homes, the header counters)."""

    name = "qmi.portal"
    label = "portal"
    verbose_name = _("Portail")
