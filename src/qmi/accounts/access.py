"""Access helpers used by every view: back-office gate and loaders that 404 on what one may not see."""

from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import Organisation
from .rules import has_staff_role
from .second_factor import second_factor_satisfied


def has_totp(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def second_factor_redirect(request, next_url):
    """Where a staff member whose session lacks the second factor goes, or None when it is there.

    Without TOTP: to TOTP set-up. With TOTP but a session opened with the password only:
    to allauth's MFA re-authentication (a TOTP or recovery code), which records the second
    factor in this session and comes back to `next_url`.
    """
    if second_factor_satisfied(request.user):
        return None
    if not has_totp(request.user):
        messages.warning(
            request,
            _(
                "Pour accéder à l'espace de gestion, activez d'abord la double authentification (application TOTP)."
            ),
        )
        return redirect("mfa_activate_totp")
    messages.info(
        request,
        _("Pour accéder aux outils de l'équipe, saisissez un code de votre application TOTP."),
    )
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def backoffice_required(view=None, *, permission=None):
    """Programme staff only; others get a 404 so the back office does not reveal itself.

    With `permission`, the page is one of the operator's tools: the Métropole's team,
    who may read the back office, gets a 403 page saying whose tool it is.
    Use as `@backoffice_required` or `@backoffice_required(permission="…")`.
    """
    if view is None:
        return lambda inner: backoffice_required(inner, permission=permission)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_staff_role(request.user):
            raise Http404
        pending = second_factor_redirect(request, request.get_full_path())
        if pending is not None:
            return pending
        if not request.user.has_perm("accounts.access_backoffice"):
            raise Http404
        if permission is not None and not request.user.has_perm(permission):
            return operator_only(request)
        return view(request, *args, **kwargs)

    # Read by the access sweep, which checks that every such page refuses the Métropole.
    wrapper.staff_permission = permission
    return wrapper


def operator_only(request):
    """The answer to a staff member who may read this part of the back office but not act."""
    return render(
        request,
        "403.html",
        {
            "reason": _(
                "Cette action fait partie des outils de l'opérateur du programme. "
                "Votre rôle vous permet de consulter ces informations, pas de les modifier."
            )
        },
        status=403,
    )


def get_organisation_for(user, pk, permission="accounts.view_organisation"):
    organisation = get_object_or_404(Organisation.objects.select_related("commune"), pk=pk)
    if not user.has_perm(permission, organisation):
        raise Http404
    return organisation
