"""Whether the person's current session was authenticated with the second factor.

Staff roles (operator and Métropole memberships, superusers, the Django admin) give
nothing until the second factor was verified in the session in use:
`SecondFactorMiddleware` marks `request.user` from the authentication records allauth
keeps in the session (a record with method "mfa" is written after a TOTP or recovery
code at log-in, after an MFA re-authentication, and, by `record_totp_activation`, when
TOTP is activated with a valid code). The permission predicates read the mark.

Outside a request (management commands, tasks) there is no session, hence no mark: a user
object without the mark counts as not verified. A command that acts as staff on purpose
(the demo loaders) marks its user with `mark_second_factor`, in plain sight at the call site.
"""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.middleware import get_user
from django.utils.functional import SimpleLazyObject

MARK = "_qmi_second_factor_verified"


def session_has_second_factor(request, user):
    """True when this session's authentication of `user` included the second factor."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def mark_second_factor(user, verified=True):
    """Say whether `user` counts as verified with the second factor (commands, middleware)."""
    setattr(user, MARK, verified)
    return user


def second_factor_required(user):
    if not settings.QMI_STAFF_MFA_REQUIRED:
        return False
    return not (settings.QMI_DEMO_MFA_EXEMPT and getattr(user, "is_demo", False))


def second_factor_satisfied(user):
    """Staff powers may apply: the second factor is not required of this person, or was verified."""
    return not second_factor_required(user) or getattr(user, MARK, False)


def record_totp_activation(sender, request, user, authenticator, **kwargs):
    """Activating TOTP checks a code from the new device: it counts as this session's second factor.

    Without this, a staff member who just set up TOTP would have to type a second code at once
    (and allauth refuses the same code twice within its 30-second window).
    """
    if authenticator.type == Authenticator.Type.TOTP and request is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def _marked_user(request):
    user = get_user(request)
    if user.is_authenticated:
        mark_second_factor(user, session_has_second_factor(request, user))
    return user


class SecondFactorMiddleware:
    """Marks `request.user` with whether this session's log-in included the second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(lambda: _marked_user(request))
        return self.get_response(request)
