"""Partners' experts invited to a call's jury by e-mail.

An expert often has no account yet: staff invite an address, and the juror exists only
once the person behind that address (signed up or logged in) accepts. The flow mirrors
the organisations' invitations (accounts.services), so people meet the same rules.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.accounts.models import Invitation
from qmi.core import audit
from qmi.core.forms import parse_id
from qmi.core.permissions import require
from qmi.mail.services import absolute_url, cancel_unsent, notify, send_to_address

from .. import queries
from ..models import Juror, JurorInvitation

# The same four states as an organisation's invitation, so pages and people read them alike.
Status = Invitation.Status
# The overview lists this many pending invitations, and says how many there are in all.
LISTED = 50


def status_of(invitation, now=None):
    if invitation.accepted_at:
        return Status.ACCEPTED
    if invitation.revoked_at:
        return Status.REVOKED
    if invitation.expires_at <= (now or timezone.now()):
        return Status.EXPIRED
    return Status.PENDING


def _pending(now=None):
    return Q(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
    )


def pending_invitations(call):
    """(the first LISTED pending invitations of the call, how many in all): the overview
    reads them in the same few queries however many there are."""
    pending = JurorInvitation.objects.filter(_pending(), call=call)
    listed = list(
        pending.select_related("invited_by")
        .prefetch_related("themes")
        .order_by("expires_at")[:LISTED]
    )
    return listed, pending.count()


def invitation_url(invitation):
    return absolute_url(reverse("review:invitation", kwargs={"token": invitation.token}))


@transaction.atomic
def invite_expert(*, call, email, full_name, capacity, themes, by):
    """Invite an expert by e-mail; the link is valid for QMI_INVITATION_DAYS days."""
    require(by, "review.manage_review")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Saisissez une adresse e-mail valide.")}) from None
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": _("Indiquez le nom de la personne invitée.")})
    if len(full_name) > 150:
        raise ValidationError({"full_name": _("Le nom tient en 150 caractères au plus.")})
    if parse_id(capacity) is None or int(capacity) > 500:
        raise ValidationError({"capacity": _("Un juré lit entre 1 et 500 dossiers.")})
    # The address may be the account's own or one of its verified addresses.
    if (
        Juror.objects.filter(call=call, withdrawn_at__isnull=True)
        .filter(
            Q(user__email__iexact=email)
            | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
        )
        .exists()
    ):
        raise ValidationError(
            {"email": _("La personne qui a cette adresse fait déjà partie du jury de cet appel.")}
        )
    now = timezone.now()
    if JurorInvitation.objects.filter(_pending(now), call=call, email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _(
                    "Une invitation au jury de cet appel est déjà en attente pour cette adresse."
                )
            }
        )
    invitation = JurorInvitation.objects.create(
        call=call,
        email=email,
        full_name=full_name,
        capacity=int(capacity),
        invited_by=by,
        expires_at=now + datetime.timedelta(days=settings.QMI_INVITATION_DAYS),
    )
    invitation.themes.set(themes)
    audit.record(
        obj=call,
        actor=by,
        action="juror_invited",
        note=f"{full_name} <{email}>",
    )
    # In the platform's language: the invitee may have no account yet.
    send_to_address(
        to=invitation.email,
        template="review/email/expert_invitation",
        context={"invitation": invitation, "call": call, "url": invitation_url(invitation)},
        language=settings.LANGUAGE_CODE,
        about=invitation,
    )
    return invitation


@transaction.atomic
def revoke_expert_invitation(*, invitation, by):
    require(by, "review.manage_review")
    invitation = JurorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if status_of(invitation) != Status.PENDING:
        raise ValidationError(_("Seule une invitation en attente peut être révoquée."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    # Revoked before the worker got to it: the invitation must not leave.
    cancel_unsent(about=invitation)
    audit.record(
        obj=invitation.call,
        actor=by,
        action="juror_invitation_revoked",
        note=f"{invitation.full_name} <{invitation.email}>",
    )
    return invitation


@transaction.atomic
def accept_expert_invitation(*, invitation, by):
    """Join the call's jury as an expert; only the invited address may use the link."""
    invitation = (
        JurorInvitation.objects.select_for_update(of=("self",))
        .select_related("call", "invited_by")
        .get(pk=invitation.pk)
    )
    status = status_of(invitation)
    if status == Status.EXPIRED:
        raise ValidationError(
            _(
                "Cette invitation a expiré. "
                "Demandez à l'équipe du programme de vous en envoyer une nouvelle."
            )
        )
    if status == Status.REVOKED:
        raise ValidationError(_("Cette invitation a été révoquée."))
    if status == Status.ACCEPTED:
        raise ValidationError(_("Cette invitation a déjà été utilisée."))
    if invitation.email.lower() not in queries.addresses_of(by):
        raise ValidationError(
            _(
                "Cette invitation a été envoyée à %(email)s. "
                "Connectez-vous avec cette adresse pour l'accepter."
            )
            % {"email": invitation.email}
        )
    call = invitation.call
    # One juror per person and call (juror_once_per_call): someone who left the jury comes
    # back with what this invitation offers; someone already on it keeps what staff set.
    juror = Juror.objects.select_for_update().filter(call=call, user=by).first()
    if juror is None:
        juror = Juror.objects.create(
            call=call, user=by, kind=Juror.Kind.EXPERT, capacity=invitation.capacity
        )
        juror.themes.set(invitation.themes.all())
    elif juror.withdrawn_at is not None:
        juror.withdrawn_at = None
        juror.kind = Juror.Kind.EXPERT
        juror.capacity = invitation.capacity
        juror.save(update_fields=["withdrawn_at", "kind", "capacity", "updated_at"])
        juror.themes.set(invitation.themes.all())
    # A juror is linked to one invitation (a one-to-one): the one they now sit by.
    JurorInvitation.objects.filter(juror=juror).exclude(pk=invitation.pk).update(juror=None)
    invitation.accepted_at = timezone.now()
    invitation.juror = juror
    invitation.save(update_fields=["accepted_at", "juror", "updated_at"])
    audit.record(
        obj=call,
        actor=by,
        action="juror_invitation_accepted",
        note=f"{by.get_full_name()} <{invitation.email}>",
    )
    inviter = invitation.invited_by
    if inviter is not None and inviter.is_active and inviter.pk != by.pk:
        notify(
            recipients=[inviter],
            template="review/email/expert_joined",
            context={"member": by, "invitation": invitation, "call": call, "juror": juror},
            url=reverse("review:overview", kwargs={"pk": call.pk}),
        )
    return juror
