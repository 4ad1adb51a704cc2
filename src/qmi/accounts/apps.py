from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qmi.accounts"
    label = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self):
        from allauth.mfa.signals import authenticator_added  # noqa: PLC0415 — needs the app registry

        from qmi.accounts.second_factor import record_totp_activation  # noqa: PLC0415 — idem

        authenticator_added.connect(record_totp_activation, dispatch_uid="qmi_totp_activation")
        from django.contrib.auth import get_user_model  # noqa: PLC0415 — idem

        from qmi.core import versions  # noqa: PLC0415 — idem
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — needs the app registry

        from .backends import PEOPLE  # noqa: PLC0415 — idem
        from .models import Invitation, Membership, Organisation  # noqa: PLC0415 — idem
        from .queries import INVITATIONS  # noqa: PLC0415 — idem
        from .rules import MEMBERSHIPS  # noqa: PLC0415 — idem

        versions.watch(INVITATIONS, Invitation)
        versions.watch(MEMBERSHIPS, Membership, Organisation)
        # A person's rights (active, superuser, groups) show on every page kept for them.
        versions.watch(versions.ACTIVITY, get_user_model())
        versions.watch(PEOPLE, get_user_model())
        register_action_labels(
            {
                "invited": _("invitation envoyée"),
                "invitation_revoked": _("invitation révoquée"),
                "joined": _("arrivée d'un membre"),
                "role_changed": _("rôle modifié"),
                "member_removed": _("membre retiré"),
            }
        )
