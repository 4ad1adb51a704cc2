from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "qmi.mail"
    label = "mail"
    verbose_name = _("Courriels et notifications")

    def ready(self):
        from qmi.core import versions  # noqa: PLC0415 — needs the app registry

        from .models import Notification  # noqa: PLC0415
        from .services import INBOX  # noqa: PLC0415

        versions.watch(INBOX, Notification)
