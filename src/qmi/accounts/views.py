"""Thin views: load what the person may see, call one service, say what happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.core.audit import audit_context
from qmi.core.forms import apply_errors

from . import queries, services
from .access import backoffice_required, get_organisation_for, has_totp
from .forms import InvitationForm, MemberRoleForm, OrganisationForm, ProfileForm
from .models import Invitation, Membership, Organisation

MEMBERS_PER_PAGE = 50
ORGANISATIONS_PER_PAGE = 30


def _run_form(request, form, save):
    """Call `save(cleaned_data)` for a valid POSTed form; None when the form must be shown again."""
    if request.method == "POST" and form.is_valid():
        try:
            return save(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
    return None


def warn_if_siren_shared(request, organisation):
    """A non-blocking warning when another organisation has the same SIREN.

    Staff see which organisations; others see only their kind, never a name.
    """
    shared = list(
        queries.organisations_sharing_siren(organisation.siret, exclude=organisation)[:10]
    )
    if not shared:
        return
    if request.user.has_perm("accounts.access_backoffice"):
        names = ", ".join(f"{other.name} ({other.get_kind_display()})" for other in shared)
        messages.warning(
            request,
            _(
                "Attention : ce SIREN est aussi celui de %(names)s. Vérifiez qu'il n'y a pas de doublon."
            )
            % {"names": names},
        )
        return
    kinds = sorted({str(other.get_kind_display()) for other in shared})
    messages.warning(
        request,
        _(
            "Attention : ce SIREN est déjà déclaré par une autre organisation (%(kinds)s). "
            "Vérifiez le numéro ; s'il est juste, l'équipe du programme vérifiera ce doublon."
        )
        % {"kinds": ", ".join(kinds)},
    )


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                user=request.user,
                by=request.user,
                full_name=form.cleaned_data["full_name"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Votre profil a été enregistré."))
            response = redirect("accounts:profile")
            response.set_cookie("django_language", request.user.language, samesite="Lax")
            return response
    if form.errors:
        # The form filled request.user with the refused values: show the stored ones around it.
        request.user.refresh_from_db(fields=["full_name", "language"])
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation__commune")
        .order_by("organisation__name")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "emailaddresses": request.user.emailaddress_set.order_by("-primary", "email"),
            "has_totp": has_totp(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def organisation_create(request):
    form = OrganisationForm(
        request.POST or None,
        allowed_kinds=Organisation.SELF_SERVICE_KINDS,
        can_set_commune=False,
        initial={"kind": Organisation.Kind.EXPERIMENTER},
    )
    organisation = _run_form(
        request, form, lambda data: services.create_organisation(by=request.user, **data)
    )
    if organisation:
        messages.success(
            request,
            _("L'organisation « %(name)s » a été créée. Vous en êtes l'administrateur.")
            % {"name": organisation.name},
        )
        warn_if_siren_shared(request, organisation)
        # Back to where the person was going (e.g. the "Je candidate" page of a call).
        target = request.POST.get("next") or request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "creating": True, "backoffice": False},
        status=400 if form.errors else 200,
    )


def _organisation_context(request, organisation, *, invitation_form=None):
    """Everything the organisation page shows, in a fixed number of queries."""
    user = request.user
    can_manage = user.has_perm("accounts.manage_members", organisation)
    members = Paginator(queries.organisation_members(organisation), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "organisation": organisation,
        "members": members,
        "can_manage": can_manage,
        "can_edit": user.has_perm("accounts.change_organisation", organisation),
        "is_staff": user.has_perm("accounts.access_backoffice"),
        "invitations": list(queries.open_invitations(organisation)[:50]) if can_manage else [],
        "invitation_form": (invitation_form or InvitationForm()) if can_manage else None,
        "role_choices": Membership.Role.choices,
        **audit_context(user, organisation),
    }
    if context["is_staff"]:
        context["siren_shared_with"] = list(
            queries.organisations_sharing_siren(organisation.siret, exclude=organisation)[:20]
        )
    return context


@login_required
def organisation_detail(request, pk):
    organisation = get_organisation_for(request.user, pk)
    return render(
        request,
        "accounts/organisation_detail.html",
        _organisation_context(request, organisation),
    )


@login_required
def organisation_edit(request, pk):
    organisation = get_organisation_for(request.user, pk, "accounts.change_organisation")
    staff = request.user.has_perm("accounts.set_up_organisations")
    # The form works on its own copy: a refused change never shows on the page's title.
    form = OrganisationForm(
        request.POST or None,
        instance=Organisation.objects.select_related("commune").get(pk=organisation.pk),
        allowed_kinds=None if staff else [organisation.kind],
        can_set_commune=staff,
    )
    saved = _run_form(
        request,
        form,
        lambda data: services.update_organisation(
            organisation=organisation, by=request.user, **data
        ),
    )
    if saved:
        messages.success(request, _("Les modifications ont été enregistrées."))
        warn_if_siren_shared(request, saved)
        return redirect("accounts:organisation", pk=organisation.pk)
    shared = queries.organisations_sharing_siren(organisation.siret, exclude=organisation)
    return render(
        request,
        "accounts/organisation_form.html",
        {
            "form": form,
            "organisation": organisation,
            "backoffice": staff,
            # Kinds only: the form is also shown to the organisation's own administrators.
            "siren_shared_kinds": sorted(
                {
                    str(Organisation.Kind(kind).label)
                    for kind in shared.values_list("kind", flat=True)
                }
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def invite(request, pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    form = InvitationForm(request.POST)
    invitation = _run_form(
        request,
        form,
        lambda data: services.invite_member(
            organisation=organisation, email=data["email"], role=data["role"], by=request.user
        ),
    )
    if invitation:
        messages.success(
            request,
            _("Invitation envoyée à %(email)s ; le lien est valable jusqu'au %(date)s.")
            % {
                "email": invitation.email,
                "date": date_format(timezone.localtime(invitation.expires_at), "j F Y"),
            },
        )
        return redirect(reverse("accounts:organisation", kwargs={"pk": pk}) + "#invitations")
    return render(
        request,
        "accounts/organisation_detail.html",
        _organisation_context(request, organisation, invitation_form=form),
        status=400,
    )


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    invitation = get_object_or_404(Invitation, pk=invitation_pk, organisation=organisation)
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("L'invitation de %(email)s a été révoquée.") % {"email": invitation.email}
        )
    return redirect(reverse("accounts:organisation", kwargs={"pk": pk}) + "#invitations")


@login_required
@require_POST
def member_update(request, pk, membership_pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_pk, organisation=organisation
    )
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
    else:
        try:
            services.change_member_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Le rôle de %(name)s est maintenant : %(role)s.")
                % {
                    "name": membership.user,
                    "role": Membership.Role(form.cleaned_data["role"]).label,
                },
            )
    if not request.user.has_perm("accounts.view_organisation", organisation):
        return redirect("portal:home")
    return redirect(reverse("accounts:organisation", kwargs={"pk": pk}) + "#members")


@login_required
@require_POST
def member_remove(request, pk, membership_pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_pk, organisation=organisation
    )
    try:
        services.remove_member(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s ne fait plus partie de l'organisation.") % {"name": membership.user},
        )
    # Someone who removed themselves can no longer see the organisation.
    if not request.user.has_perm("accounts.view_organisation", organisation):
        return redirect("portal:home")
    return redirect(reverse("accounts:organisation", kwargs={"pk": pk}) + "#members")


def sign_in_context(request, email):
    """What an invitation page needs to send its visitor to log in or sign up as `email`."""
    user = request.user
    addresses = set()
    if user.is_authenticated:
        addresses = {user.email.lower()} | {
            address.lower()
            for address in user.emailaddress_set.filter(verified=True).values_list(
                "email", flat=True
            )
        }
    return {
        "address_matches": email.lower() in addresses,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "signup_url": (
            f"{reverse('account_signup')}?{urlencode({'next': request.path, 'email': email})}"
        ),
    }


def invitation_accept(request, token):
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(token=token).first()
    )
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            services.accept_invitation(invitation=invitation, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            invitation.refresh_from_db()
        else:
            messages.success(
                request,
                _("Bienvenue dans l'organisation « %(name)s ».")
                % {"name": invitation.organisation.name},
            )
            return redirect("accounts:organisation", pk=invitation.organisation_id)
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "status": invitation.status,
            "statuses": Invitation.Status,
            "error": error,
            **sign_in_context(request, invitation.email),
        },
        status=400 if error else 200,
    )


@backoffice_required
def backoffice_organisations(request):
    kind = request.GET.get("type", "")
    if kind not in Organisation.Kind.values:
        kind = ""
    query = request.GET.get("q", "").strip()[:100]
    organisations = queries.backoffice_organisations(kind=kind, query=query)
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "accounts/backoffice_organisations.html",
        {
            "page": page,
            "kinds": Organisation.Kind.choices,
            "kind": kind,
            "q": query,
            "query": querystring.urlencode(),
            "filtered": bool(kind or query),
        },
    )


@backoffice_required(permission="accounts.set_up_organisations")
def backoffice_organisation_create(request):
    form = OrganisationForm(request.POST or None)
    organisation = _run_form(
        request, form, lambda data: services.create_organisation(by=request.user, **data)
    )
    if organisation:
        messages.success(
            request,
            _("L'organisation « %(name)s » a été créée. Invitez maintenant son administrateur.")
            % {"name": organisation.name},
        )
        warn_if_siren_shared(request, organisation)
        return redirect(
            reverse("accounts:organisation", kwargs={"pk": organisation.pk}) + "#invite"
        )
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "creating": True, "backoffice": True},
        status=400 if form.errors else 200,
    )
