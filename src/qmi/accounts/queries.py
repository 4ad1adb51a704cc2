"""Reads used by the accounts views, each in a fixed number of queries."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .models import Invitation, Membership, Organisation


def landing_url_for(user):
    """Where a person lands after logging in: the home of their role.

    Staff go to the back office; someone with exactly one space (one commune
    workspace, or else one organisation) goes straight into it; everyone else,
    and anyone with an invitation waiting, lands on "Mon espace", which lists
    what they have.
    """
    from qmi.programmes.queries import workspaces_for

    if user.has_perm("accounts.access_backoffice"):
        return reverse("programmes:backoffice")
    if pending_invitations_for(user).exists():
        return reverse("accounts:home")
    workspaces = list(workspaces_for(user)[:2])
    if len(workspaces) == 1:
        return reverse("programmes:workspace", kwargs={"pk": workspaces[0].pk})
    if not workspaces:
        organisation_ids = list(personal_organisations(user).values_list("pk", flat=True)[:2])
        if len(organisation_ids) == 1:
            return reverse("accounts:organisation", kwargs={"pk": organisation_ids[0]})
    return reverse("accounts:home")


def personal_organisations(user):
    """The organisations a person belongs to, other than communes (reached by workspace)."""
    return Organisation.objects.filter(memberships__user=user).exclude(
        kind=Organisation.Kind.COMMUNE
    )


def pending_invitations_for(user):
    """Invitations still usable that were sent to one of the person's verified addresses."""
    addresses = {user.email.lower()}
    addresses |= {
        email.lower()
        for email in user.emailaddress_set.filter(verified=True).values_list("email", flat=True)
    }
    query = Q()
    for address in addresses:
        query |= Q(email__iexact=address)
    return (
        Invitation.objects.filter(
            query,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def organisation_members(organisation):
    return organisation.memberships.select_related("user").order_by(
        "user__full_name", "user__email"
    )


def open_invitations(organisation):
    """Invitations neither accepted nor revoked: pending ones and expired ones, newest first."""
    return (
        organisation.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def backoffice_organisations(*, kind="", query=""):
    organisations = Organisation.objects.select_related("commune").annotate(
        member_count=Count("memberships", distinct=True),
        admin_count=Count(
            "memberships", filter=Q(memberships__role=Membership.Role.ADMIN), distinct=True
        ),
    )
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    if query:
        digits = "".join(query.split())
        condition = Q(name__icontains=query) | Q(commune__name__icontains=query)
        if digits.isdigit():
            condition |= Q(siret__startswith=digits)
        organisations = organisations.filter(condition)
    return organisations.order_by("name", "pk")
