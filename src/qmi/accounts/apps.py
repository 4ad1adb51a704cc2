from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qmi.accounts"
    label = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self):
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — needs the app registry

        register_action_labels(
            {
                "invited": _("invitation envoyée"),
                "invitation_revoked": _("invitation révoquée"),
                "joined": _("arrivée d'un membre"),
                "role_changed": _("rôle modifié"),
                "member_removed": _("membre retiré"),
            }
        )
