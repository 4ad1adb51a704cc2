from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "qmi.messaging"
    label = "messaging"
    verbose_name = _("Messagerie")

    def ready(self):
        from . import rules  # noqa: F401, PLC0415 — registers the permissions once apps are ready
