"""A person's rights over their data, exercised by themselves: export, and account deletion."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from qmi.accounts.models import Membership
from qmi.accounts.rules import has_staff_role
from qmi.core import audit, ratelimit
from qmi.core.permissions import require
from qmi.events.models import Registration
from qmi.mail.services import send_to_address
from qmi.review.models import Juror

from .personal_data import personal_data, verified_addresses

# Password tries to delete one's account, per account and quarter of an hour.
PASSWORD_TRIES = 5


def export_personal_data(*, user, by):
    """Everything the platform holds about `user`, for themselves; the export is audited."""
    require(by, "portal.export_personal_data", user)
    data = personal_data(user)
    audit.record(obj=user, actor=by, action="data_exported")
    return data


def deletion_obstacles(user):
    """Why `user`'s account may not be deleted yet, each with what to do first (empty: it may).

    Staff accounts are closed by the operator, who first withdraws the role; the
    last administrator of an organisation first hands it over, so no organisation
    is left without anyone able to manage it.
    """
    obstacles = []
    if has_staff_role(user) or user.is_staff or user.is_superuser:
        obstacles.append(
            _(
                "Votre compte fait partie de l'équipe du programme ou du support technique : "
                "demandez d'abord à un administrateur de l'opérateur de vous retirer de "
                "l'équipe (et de l'administration technique), puis revenez sur cette page."
            )
        )
    admin_of = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).select_related(
        "organisation"
    )
    other_admins = set(
        Membership.objects.filter(
            organisation__in=[membership.organisation_id for membership in admin_of],
            role=Membership.Role.ADMIN,
        )
        .exclude(user=user)
        .values_list("organisation_id", flat=True)
    )
    for membership in admin_of:
        if membership.organisation_id not in other_admins:
            obstacles.append(
                _(
                    "Vous êtes le dernier administrateur de « %(name)s » : nommez d'abord "
                    "administrateur un autre membre (ou invitez-en un) depuis la page de "
                    "l'organisation. Si l'organisation n'a plus de raison d'être sur la "
                    "plateforme, écrivez à l'opérateur du programme."
                )
                % {"name": membership.organisation.name}
            )
    # A juror's reviews go with their juror seat: they must not leave a ranking still in use.
    seats = Juror.objects.filter(user=user, call__decisions_publication__isnull=True).values_list(
        "call__title", flat=True
    )
    for title in sorted(set(seats)):
        obstacles.append(
            _(
                "Vous faites partie du jury de « %(title)s », dont les décisions ne sont pas "
                "encore publiées : vos évaluations comptent dans son classement. Revenez une "
                "fois les décisions publiées, ou écrivez à l'équipe du programme."
            )
            % {"title": title}
        )
    return obstacles


def delete_account(*, user, by, password):
    """Delete `user`'s account after checking their password; tell them by e-mail.

    What they did for an organisation stays with it (applications, documents,
    messages), shown as « Compte supprimé »: the foreign keys to the account are
    SET_NULL. Their memberships, roles, notifications, addresses, second factor
    and registrations to sessions (theirs, or made with an address they proved) go
    with the account. The audit trail keeps `actor_label` (the address of who did
    what), like the frozen acknowledgement of receipt: both are the proof of a
    public procedure, kept for its retention period as the privacy page says, not
    a profile of the person.
    """
    require(by, "portal.delete_account", user)
    # A session left open must not let someone try passwords here without end.
    if not ratelimit.allow("account-delete", user.pk, limit=PASSWORD_TRIES, period=15 * 60):
        raise ValidationError(
            {"password": _("Trop d'essais de mot de passe. Réessayez dans un quart d'heure.")}
        )
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("Ce mot de passe n'est pas le bon.")})
    _delete(user, by)


@transaction.atomic
def _delete(user, by):
    """The deletion itself, all or nothing (the tries above are counted outside it)."""
    obstacles = deletion_obstacles(user)
    if obstacles:
        raise ValidationError(obstacles)
    email, language = user.email, user.language
    audit.record(
        obj=user,
        actor=by,
        action="account_deleted",
        changes={
            "organisations": [
                list(
                    Membership.objects.filter(user=user).values_list(
                        "organisation__name", flat=True
                    )
                ),
                None,
            ]
        },
    )
    Registration.objects.filter(Q(user=user) | Q(email__in=verified_addresses(user))).delete()
    user.delete()
    send_to_address(to=email, template="portal/email/account_deleted", language=language)
