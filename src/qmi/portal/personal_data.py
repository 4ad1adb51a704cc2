"""What the platform holds about one person, gathered from every app for their export.

It lives in the top layer because it reads every app; one function a section, each
one query (two for the addresses), so the export costs the same whatever its size.
"""

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils import timezone

from qmi.accounts.models import Invitation, Membership
from qmi.calls.models import Application, Document, Submission
from qmi.core.models import AuditEntry
from qmi.events.models import Registration
from qmi.mail.models import Notification
from qmi.messaging.models import Message
from qmi.programmes.models import CommuneRole
from qmi.review.models import Conflict, Juror, JurorInvitation, Review


def personal_data(user):
    """A JSON-ready dict of everything stored about `user` (see the privacy page)."""
    addresses = _addresses(user)
    # Only proven addresses: anyone may add someone else's address to their account unverified.
    verified = verified_addresses(user, addresses)
    return {
        "generated_at": timezone.now(),
        "account": _account(user),
        "email_addresses": addresses,
        "memberships": _memberships(user),
        "commune_roles": _commune_roles(user),
        "invitations_sent": _invitations(Q(invited_by=user)),
        "invitations_received": _invitations(Q(email__in=verified)),
        "applications_started": _applications(user),
        "submissions": _submissions(user),
        "documents_uploaded": _documents(user),
        "messages_written": _messages(user),
        "notifications": _notifications(user),
        "event_registrations": _registrations(user, verified),
        "jury_seats": _jury_seats(user),
        "reviews_written": _reviews(user),
        "conflicts_declared": _conflicts(user),
        "jury_invitations_received": _jury_invitations(verified),
        "audit_trail": _audit(user),
    }


def verified_addresses(user, addresses=None):
    """The addresses `user` proved are theirs, in lower case (the login address included)."""
    addresses = _addresses(user) if addresses is None else addresses
    return sorted(
        {user.email.lower()}
        | {address["email"].lower() for address in addresses if address["verified"]}
    )


def _account(user):
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _addresses(user):
    return list(
        EmailAddress.objects.filter(user=user)
        .order_by("-primary", "email")
        .values("email", "verified", "primary")
    ) or [{"email": user.email, "verified": False, "primary": True}]


def _memberships(user):
    return [
        {
            "organisation": membership.organisation.name,
            "kind": membership.organisation.kind,
            "role": membership.role,
            "since": membership.created_at,
        }
        for membership in Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    ]


def _commune_roles(user):
    return [
        {
            "commune": role.edition_commune.commune.name,
            "edition": str(role.edition_commune.edition),
            "role": role.role,
        }
        for role in CommuneRole.objects.filter(user=user).select_related(
            "edition_commune__commune", "edition_commune__edition"
        )
    ]


def _invitations(condition):
    return [
        {
            "organisation": invitation.organisation.name,
            "email": invitation.email,
            "role": invitation.role,
            "status": invitation.status,
            "sent_at": invitation.created_at,
        }
        for invitation in Invitation.objects.filter(condition)
        .select_related("organisation")
        .order_by("created_at")
    ]


def _applications(user):
    return [
        {
            "reference": application.reference,
            "call": application.call.title,
            "organisation": application.organisation.name,
            "status": application.status,
            "started_at": application.created_at,
            "submitted_at": application.submitted_at,
            "answers": application.answers,
        }
        for application in Application.objects.filter(created_by=user)
        .select_related("call", "organisation")
        .order_by("created_at")
    ]


def _submissions(user):
    return [
        {
            "reference": submission.application.reference,
            "number": submission.number,
            "submitted_at": submission.submitted_at,
        }
        for submission in Submission.objects.filter(submitted_by=user)
        .select_related("application")
        .order_by("submitted_at")
    ]


def _documents(user):
    return [
        {
            "reference": document.application.reference,
            "name": document.name,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": document.uploaded_at,
        }
        for document in Document.objects.filter(uploaded_by=user)
        .select_related("application")
        .order_by("uploaded_at")
    ]


def _messages(user):
    return [
        {"thread": message.thread.title, "sent_at": message.created_at, "body": message.body}
        for message in Message.objects.filter(author=user)
        .select_related("thread")
        .order_by("created_at")
    ]


def _notifications(user):
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("created_at")
        .values("created_at", "subject", "body", "url", "read_at")
    )


def _registrations(user, emails):
    return [
        {
            "event": registration.event.title,
            "starts_at": registration.event.starts_at,
            "name": registration.name,
            "organisation": registration.organisation_name,
            "email": registration.email,
            "registered_at": registration.created_at,
            "confirmed_at": registration.confirmed_at,
        }
        for registration in Registration.objects.filter(Q(user=user) | Q(email__in=emails))
        .select_related("event")
        .order_by("created_at")
    ]


def _jury_seats(user):
    return [
        {
            "call": juror.call.title,
            "kind": juror.kind,
            "capacity": juror.capacity,
            "since": juror.created_at,
            "withdrawn_at": juror.withdrawn_at,
        }
        for juror in Juror.objects.filter(user=user).select_related("call").order_by("created_at")
    ]


def _reviews(user):
    """The person's own reviews: totals and comments (the scores per criterion stay with
    the call's ranking; their comments are what the person wrote)."""
    return [
        {
            "call": review.assignment.phase.call.title,
            "phase": review.assignment.phase.title,
            "file": review.assignment.application.reference,
            "status": review.status,
            "total": review.total,
            "comment": review.comment,
            "submitted_at": review.submitted_at,
        }
        for review in Review.objects.filter(assignment__juror__user=user)
        .select_related("assignment__phase__call", "assignment__application")
        .order_by("created_at")
    ]


def _conflicts(user):
    return [
        {
            "call": conflict.juror.call.title,
            "file": conflict.application.reference,
            "reason": conflict.reason,
            "declared_at": conflict.created_at,
        }
        for conflict in Conflict.objects.filter(juror__user=user)
        .select_related("juror__call", "application")
        .order_by("created_at")
    ]


def _jury_invitations(emails):
    return [
        {
            "call": invitation.call.title,
            "email": invitation.email,
            "full_name": invitation.full_name,
            "sent_at": invitation.created_at,
            "accepted_at": invitation.accepted_at,
        }
        for invitation in JurorInvitation.objects.filter(email__in=emails)
        .select_related("call")
        .order_by("created_at")
    ]


def _audit(user):
    return list(
        AuditEntry.objects.filter(actor=user)
        .order_by("created_at", "pk")
        .values("created_at", "action", "object_repr", "changes", "note")
    )
