"""E-mails of the accounts app, sent by the task worker after the transaction commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from qmi.core.notify import absolute_url

from .models import Invitation


def render_invitation_email(invitation):
    """Subject and body, in the platform's language: the invitee may have no account yet."""
    url = absolute_url(reverse("accounts:invitation", kwargs={"token": invitation.token}))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "organisation": invitation.organisation, "url": url}
        subject = render_to_string("accounts/email/invitation.subject.txt", context)
        body = render_to_string("accounts/email/invitation.body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


@task()
def send_invitation_email(invitation_id):
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    # Revoked or accepted before the worker got to it: nothing to send.
    if invitation is None:
        return
    subject, body = render_invitation_email(invitation)
    EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        to=[invitation.email],
    ).send()
