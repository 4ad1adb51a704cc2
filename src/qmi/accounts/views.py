from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.core.audit import entries_for

from . import services
from .access import backoffice_required, get_organisation_for
from .forms import InvitationForm, MemberRoleForm, OrganisationForm, ProfileForm
from .models import Invitation, Membership, Organisation


@login_required
def home(request):
    """Each person lands on the home of their role."""
    user = request.user
    if user.has_perm("accounts.access_backoffice"):
        return redirect("programmes:backoffice")
    from qmi.programmes.queries import workspaces_for

    workspaces = list(workspaces_for(user))
    if len(workspaces) == 1:
        return redirect("programmes:workspace", pk=workspaces[0].pk)
    organisations = list(
        Organisation.objects.filter(memberships__user=user).exclude(kind=Organisation.Kind.COMMUNE)
    )
    if not workspaces and len(organisations) == 1:
        return redirect("accounts:organisation", pk=organisations[0].pk)
    pending = Invitation.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("organisation")
    return render(
        request,
        "accounts/home.html",
        {
            "workspaces": workspaces,
            "organisations": organisations,
            "invitations": [i for i in pending if i.status == Invitation.Status.PENDING],
        },
    )


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(
            user=request.user,
            by=request.user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Votre profil a été enregistré."))
        response = redirect("accounts:profile")
        response.set_cookie("django_language", request.user.language, samesite="Lax")
        return response
    organisations = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(request, "accounts/profile.html", {"form": form, "memberships": organisations})


def _save_organisation_form(request, form, save):
    """Run a service from a valid form; a ValidationError lands next to its field."""
    if request.method == "POST" and form.is_valid():
        try:
            return save(form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
    return None


@login_required
def organisation_create(request):
    form = OrganisationForm(
        request.POST or None,
        allowed_kinds=Organisation.SELF_SERVICE_KINDS,
        can_set_commune=False,
        initial={"kind": Organisation.Kind.EXPERIMENTER},
    )
    organisation = _save_organisation_form(
        request, form, lambda data: services.create_organisation(by=request.user, **data)
    )
    if organisation:
        messages.success(request, _("L'organisation « %(name)s » a été créée.") % {"name": organisation.name})
        return redirect("accounts:organisation", pk=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True})


@login_required
def organisation_detail(request, pk):
    organisation = get_organisation_for(request.user, pk)
    members = organisation.memberships.select_related("user").order_by("user__email")
    can_manage = request.user.has_perm("accounts.manage_members", organisation)
    invitations = (
        organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        if can_manage
        else Invitation.objects.none()
    )
    context = {
        "organisation": organisation,
        "members": Paginator(members, 50).get_page(request.GET.get("page")),
        "invitations": invitations.select_related("invited_by")[:50],
        "can_manage": can_manage,
        "can_edit": request.user.has_perm("accounts.change_organisation", organisation),
        "invitation_form": InvitationForm(),
        "role_choices": Membership.Role.choices,
    }
    if request.user.has_perm("core.view_audit"):
        context["audit_entries"] = entries_for(organisation)[:20]
    return render(request, "accounts/organisation_detail.html", context)


@login_required
def organisation_edit(request, pk):
    organisation = get_organisation_for(request.user, pk, "accounts.change_organisation")
    staff = request.user.has_perm("accounts.access_backoffice")
    form = OrganisationForm(
        request.POST or None,
        instance=organisation,
        allowed_kinds=None if staff else [organisation.kind],
        can_set_commune=staff,
    )
    if request.method == "POST":
        # The instance is refreshed so a refused change leaves nothing half-applied.
        organisation.refresh_from_db()
    saved = _save_organisation_form(
        request,
        form,
        lambda data: services.update_organisation(organisation=organisation, by=request.user, **data),
    )
    if saved:
        messages.success(request, _("Les modifications ont été enregistrées."))
        return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
@require_POST
def invite(request, pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_member(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email}
            )
            return redirect("accounts:organisation", pk=organisation.pk)
    members = organisation.memberships.select_related("user").order_by("user__email")
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "members": Paginator(members, 50).get_page(1),
            "invitations": organisation.invitations.filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            )[:50],
            "can_manage": True,
            "can_edit": request.user.has_perm("accounts.change_organisation", organisation),
            "invitation_form": form,
            "role_choices": Membership.Role.choices,
        },
        status=400,
    )


@login_required
@require_POST
def invitation_revoke(request, pk, invitation_pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    invitation = get_object_or_404(Invitation, pk=invitation_pk, organisation=organisation)
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
        messages.success(request, _("L'invitation a été révoquée."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:organisation", pk=organisation.pk)


@login_required
@require_POST
def member_update(request, pk, membership_pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
        return redirect("accounts:organisation", pk=organisation.pk)
    try:
        services.change_member_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
        messages.success(request, _("Le rôle a été modifié."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:organisation", pk=organisation.pk)


@login_required
@require_POST
def member_remove(request, pk, membership_pk):
    organisation = get_organisation_for(request.user, pk, "accounts.manage_members")
    membership = get_object_or_404(Membership, pk=membership_pk, organisation=organisation)
    try:
        services.remove_member(membership=membership, by=request.user)
        messages.success(request, _("%(name)s ne fait plus partie de l'organisation.") % {"name": membership.user})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("accounts:organisation", pk=organisation.pk)


def invitation_accept(request, token):
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None:
        raise Http404
    if request.method == "POST" and request.user.is_authenticated:
        try:
            services.accept_invitation(invitation=invitation, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Bienvenue dans l'organisation « %(name)s ».") % {"name": invitation.organisation.name},
            )
            return redirect("accounts:home")
    return render(request, "accounts/invitation.html", {"invitation": invitation})


@backoffice_required
def backoffice_organisations(request):
    organisations = Organisation.objects.select_related("commune").annotate(
        member_count=Count("memberships")
    )
    kind = request.GET.get("type", "")
    query = request.GET.get("q", "").strip()
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(siret__startswith=query))
    page = Paginator(organisations.order_by("name"), 30).get_page(request.GET.get("page"))
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
        },
    )


@backoffice_required
def backoffice_organisation_create(request):
    form = OrganisationForm(request.POST or None)
    organisation = _save_organisation_form(
        request, form, lambda data: services.create_organisation(by=request.user, **data)
    )
    if organisation:
        messages.success(
            request,
            _("L'organisation « %(name)s » a été créée. Invitez maintenant son administrateur.")
            % {"name": organisation.name},
        )
        return redirect("accounts:organisation", pk=organisation.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True})


