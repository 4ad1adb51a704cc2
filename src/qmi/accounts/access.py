"""Access helpers used by every view: back-office gate and loaders that 404 on what one may not see."""

from functools import wraps

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from .models import Organisation


def has_totp(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_second_factor(user):
    if not settings.QMI_STAFF_MFA_REQUIRED:
        return False
    if settings.QMI_DEMO_MFA_EXEMPT and user.is_demo:
        return False
    return not has_totp(user)


def backoffice_required(view):
    """Operator staff only; others get a 404 so the back office does not reveal itself."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("accounts.access_backoffice"):
            raise Http404
        if needs_second_factor(request.user):
            messages.warning(
                request,
                _(
                    "Pour accéder à l'espace de gestion, activez d'abord la double authentification (application TOTP)."
                ),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper


def get_organisation_for(user, pk, permission="accounts.view_organisation"):
    organisation = get_object_or_404(Organisation.objects.select_related("commune"), pk=pk)
    if not user.has_perm(permission, organisation):
        raise Http404
    return organisation
