"""Operations on people and organisations: one function per intention, each audited."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require as _require
from qmi.mail.services import absolute_url, cancel_unsent, notify, send_to_address

from .models import Invitation, Membership, Organisation, User
from .rules import forget_memberships

ORGANISATION_FIELDS = [
    "name",
    "kind",
    "legal_form",
    "country",
    "siret",
    "commune",
    "website",
    "description",
]


@transaction.atomic
def create_organisation(*, by, admin=None, **fields):
    """Create an organisation; its creator (or `admin`) becomes its first administrator."""
    _require(by, "accounts.create_organisation")
    kind = fields.get("kind")
    if kind not in Organisation.SELF_SERVICE_KINDS and not by.has_perm(
        "accounts.set_up_organisations"
    ):
        raise PermissionDenied
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    audit.record(
        obj=organisation,
        actor=by,
        action="created",
        changes={
            name: change
            for name, change in audit.diff(
                {}, audit.snapshot(organisation, ORGANISATION_FIELDS)
            ).items()
            if change[1] not in ("", None)
        },
    )
    # Staff set organisations up for others and then invite their administrator.
    first_admin = admin or (None if by.has_perm("accounts.set_up_organisations") else by)
    if first_admin is not None:
        Membership.objects.create(
            user=first_admin, organisation=organisation, role=Membership.Role.ADMIN
        )
        forget_memberships(first_admin)
    return organisation


@transaction.atomic
def update_organisation(*, organisation, by, **fields):
    """Change an organisation's details; the audit entry holds each field's before and after."""
    _require(by, "accounts.change_organisation", organisation)
    # Only operator staff may change what an organisation is (its kind or commune).
    if not by.has_perm("accounts.set_up_organisations"):
        fields.pop("kind", None)
        fields.pop("commune", None)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    # The "before" values come from the database, not from the caller's object,
    # which a ModelForm has already modified in place.
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = audit.snapshot(current, ORGANISATION_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    changes = audit.diff(before, audit.snapshot(current, ORGANISATION_FIELDS))
    if changes:
        audit.record(obj=current, actor=by, action="updated", changes=changes)
    return current


@transaction.atomic
def invite_member(*, organisation, email, role, by):
    """Invite someone by e-mail; the link is valid for QMI_INVITATION_DAYS days."""
    _require(by, "accounts.manage_members", organisation)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Saisissez une adresse e-mail valide.")}) from None
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choisissez un rôle dans la liste.")})
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Cette personne fait déjà partie de l'organisation.")})
    now = timezone.now()
    if Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists():
        raise ValidationError(
            {"email": _("Une invitation est déjà en attente pour cette adresse.")}
        )
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        invited_by=by,
        expires_at=now + datetime.timedelta(days=settings.QMI_INVITATION_DAYS),
    )
    audit.record(
        obj=organisation,
        actor=by,
        action="invited",
        changes={"invitation": [None, f"{email} ({invitation.get_role_display()})"]},
    )
    _tell_about_members(organisation, by, "invited", email=email, role=role)
    # In the platform's language: the invitee may have no account yet.
    send_to_address(
        to=invitation.email,
        template="accounts/email/invitation",
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "url": absolute_url(reverse("accounts:invitation", kwargs={"token": invitation.token})),
        },
        language=settings.LANGUAGE_CODE,
        about=invitation,
    )
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation, by):
    _require(by, "accounts.manage_members", invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("Seule une invitation en attente peut être révoquée."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    # Revoked before the worker got to it: the invitation must not leave.
    cancel_unsent(about=invitation)
    audit.record(
        obj=invitation.organisation,
        actor=by,
        action="invitation_revoked",
        changes={"invitation": [invitation.email, None]},
    )
    _tell_about_members(invitation.organisation, by, "invitation_revoked", email=invitation.email)
    return invitation


@transaction.atomic
def accept_invitation(*, invitation, by):
    """Join the organisation; only the invited address may use the link."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    status = invitation.status
    if status == Invitation.Status.EXPIRED:
        raise ValidationError(
            _(
                "Cette invitation a expiré. "
                "Demandez à l'organisation de vous en envoyer une nouvelle."
            )
        )
    if status == Invitation.Status.REVOKED:
        raise ValidationError(_("Cette invitation a été révoquée."))
    if status == Invitation.Status.ACCEPTED:
        raise ValidationError(_("Cette invitation a déjà été utilisée."))
    addresses = {by.email.lower()}
    addresses |= {
        address.lower()
        for address in by.emailaddress_set.filter(verified=True).values_list("email", flat=True)
    }
    if invitation.email.lower() not in addresses:
        raise ValidationError(
            _(
                "Cette invitation a été envoyée à %(email)s. "
                "Connectez-vous avec cette adresse pour l'accepter."
            )
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        user=by, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = by
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    if created:
        audit.record(
            obj=invitation.organisation,
            actor=by,
            action="joined",
            changes={"membre": [None, f"{by.email} ({membership.get_role_display()})"]},
        )
        admins = [
            m.user
            for m in invitation.organisation.memberships.filter(
                role=Membership.Role.ADMIN
            ).select_related("user")
            if m.user_id != by.pk
        ]
        notify(
            recipients=admins,
            template="accounts/email/member_joined",
            context={
                "member": by,
                "membership": membership,
                "organisation": invitation.organisation,
            },
            url=reverse("accounts:organisation", kwargs={"pk": invitation.organisation.pk}),
        )
    forget_memberships(by)
    return membership


def _tell_about_members(organisation, by, action, *, email, role=None, before=None, also=()):
    """Tell the organisation's administrators (and `also`) what `by` changed in its members.

    A change made by someone else (an operator's administrator onboarding the
    organisation, or another admin) never goes unnoticed; the author is not told.
    """
    admins = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Membership.Role.ADMIN
    )
    recipients = {user.pk: user for user in [*admins, *also] if user.pk != by.pk}
    notify(
        recipients=list(recipients.values()),
        template="accounts/email/members_changed",
        context={
            "organisation": organisation,
            "actor": by,
            "action": action,
            "email": email,
            "role": Membership.Role(role).label if role else "",
            "before": Membership.Role(before).label if before else "",
        },
        url=reverse("accounts:organisation", kwargs={"pk": organisation.pk}),
    )


def _ensure_another_admin(membership):
    # The organisation's admin rows are locked so two admins demoting each
    # other at the same moment cannot leave it with none.
    others = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .values_list("pk", flat=True)
    )
    if not others:
        raise ValidationError(
            _(
                "Une organisation doit garder au moins un administrateur : "
                "nommez d'abord quelqu'un d'autre administrateur."
            )
        )


@transaction.atomic
def change_member_role(*, membership, role, by):
    _require(by, "accounts.manage_members", membership.organisation)
    if role not in Membership.Role.values:
        raise ValidationError(_("Choisissez un rôle dans la liste."))
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.ADMIN:
        _ensure_another_admin(membership)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit.record(
        obj=membership.organisation,
        actor=by,
        action="role_changed",
        changes={
            str(membership.user.email): [
                str(Membership.Role(before).label),
                str(membership.get_role_display()),
            ]
        },
    )
    _tell_about_members(
        membership.organisation,
        by,
        "role_changed",
        email=membership.user.email,
        role=role,
        before=before,
        also=[membership.user],
    )
    forget_memberships(membership.user)
    forget_memberships(by)
    return membership


@transaction.atomic
def remove_member(*, membership, by):
    _require(by, "accounts.manage_members", membership.organisation)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    if membership.role == Membership.Role.ADMIN:
        _ensure_another_admin(membership)
    audit.record(
        obj=membership.organisation,
        actor=by,
        action="member_removed",
        changes={"membre": [f"{membership.user.email} ({membership.get_role_display()})", None]},
    )
    membership.delete()
    _tell_about_members(
        membership.organisation,
        by,
        "removed",
        email=membership.user.email,
        also=[membership.user],
    )
    forget_memberships(membership.user)
    forget_memberships(by)


@transaction.atomic
def update_profile(*, user, by, full_name, language):
    if user.pk != by.pk:
        raise PermissionDenied
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choisissez une langue dans la liste.")})
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": _("Indiquez votre nom complet.")})
    # Read the stored values: the caller's object may already hold the new ones.
    current = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(current, ["full_name", "language"])
    current.full_name = full_name
    current.language = language
    current.save(update_fields=["full_name", "language"])
    changes = audit.diff(before, audit.snapshot(current, ["full_name", "language"]))
    if changes:
        audit.record(obj=current, actor=by, action="updated", changes=changes)
    user.full_name, user.language = current.full_name, current.language
    return current
