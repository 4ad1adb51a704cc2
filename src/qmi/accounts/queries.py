"""Reads used by the accounts views, each in a fixed number of queries."""

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Length, Substr
from django.utils import timezone

from .models import Invitation, Membership, Organisation
from .validators import normalise_siret


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


# The version of the invitations (core.versions), bumped in accounts.apps.
INVITATIONS = "invitations"


def pending_invitations():
    """Every invitation still waiting for its invitee, the oldest first (staff's to-do)."""
    return (
        Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("organisation")
        .order_by("created_at", "pk")
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


def siren_of(siret):
    """The SIREN (9 digits) a stored SIREN or SIRET starts with; "" for anything else."""
    siret = siret or ""
    if len(siret) in (9, 14) and siret.isascii() and siret.isdigit():
        return siret[:9]
    return ""


def _with_siren(queryset):
    return queryset.annotate(siren=Substr("siret", 1, 9), siret_length=Length("siret"))


def organisations_sharing_siren(siret, *, exclude=None):
    """Other organisations registered with the same SIREN (a SIREN, or a SIRET starting with it).

    Two organisations with one SIREN are one legal entity twice, or a mistyped number:
    not forbidden (a company's establishments share it), but worth a look.
    """
    siren = siren_of(siret)
    if not siren:
        return Organisation.objects.none()
    others = _with_siren(Organisation.objects.all()).filter(siren=siren, siret_length__in=(9, 14))
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.order_by("name", "pk")


def backoffice_organisations(*, kind="", query=""):
    others = _with_siren(Organisation.objects.exclude(pk=OuterRef("pk"))).filter(
        siren=OuterRef("siren"), siret_length__in=(9, 14)
    )
    organisations = (
        _with_siren(Organisation.objects.select_related("commune"))
        .annotate(
            member_count=Count("memberships", distinct=True),
            admin_count=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.ADMIN), distinct=True
            ),
        )
        .annotate(
            siren_shared=Case(
                When(siret_length__in=(9, 14), then=Exists(others)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    if query:
        digits = normalise_siret(query)
        condition = Q(name__icontains=query) | Q(commune__name__icontains=query)
        if digits.isascii() and digits.isdigit():
            condition |= Q(siret__startswith=digits)
        organisations = organisations.filter(condition)
    return organisations.order_by("name", "pk")
