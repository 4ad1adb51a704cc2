from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "qmi.messaging"
    label = "messaging"
    verbose_name = _("Messagerie")

    def ready(self):
        from qmi.accounts.models import Membership, Organisation  # noqa: PLC0415
        from qmi.core import versions  # noqa: PLC0415
        from qmi.mail.services import INBOX  # noqa: PLC0415

        from .models import Message, Thread, ThreadRead  # noqa: PLC0415

        # Who may read a thread follows memberships and organisation kinds.
        versions.watch(INBOX, Thread, Message, ThreadRead, Membership, Organisation)
