"""The one path for every message the platform sends.

- `notify()` tells people with an account: a notification in the platform,
  and an e-mail in their own language.
- `send_to_address()` writes to a bare address (an invitee, a registrant).

Both render the message when it is queued and send it from the task worker
once the transaction commits: a rolled-back change tells nobody. `hold=True`
keeps an e-mail in the outbox until staff `release()` it (decision letters are
checked before they leave). Templates come in pairs, `<name>.subject.txt` and
`<name>.body.txt`, rendered without HTML escaping (the "text" template engine).
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qmi.core import audit, versions
from qmi.core.permissions import require

from .models import Notification, OutgoingEmail
from .tasks import send_email

# The version of what the header counts (unread notifications and threads; core.versions):
# watched models bump it (mail.apps, messaging.apps), bulk updates here bump it by hand.
INBOX = "inbox"

Status = OutgoingEmail.Status


def absolute_url(path):
    """A link that works from an e-mail or a calendar file: the site's address before the path."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def render(template, context, language):
    """(subject, body) of a template pair, in `language`."""
    with translation.override(language):
        subject = render_to_string(f"{template}.subject.txt", context, using="text")
        body = render_to_string(f"{template}.body.txt", context, using="text")
    return " ".join(subject.split())[:255], body.strip()


def _about(obj):
    if obj is None:
        return {}
    return {"about_type": ContentType.objects.get_for_model(obj), "about_id": str(obj.pk)}


def _queue(emails):
    for email in emails:
        if email.status == Status.QUEUED:
            transaction.on_commit(lambda pk=email.pk: _enqueue(pk))


def _enqueue(pk):
    send_email.enqueue(email_id=pk)


def notify(*, recipients, template, context=None, url="", about=None, hold=False):
    """Record a notification for each recipient and e-mail it once the transaction commits.

    Rendered in each recipient's own language; the link is added to the e-mail.
    """
    created = []
    emails = []
    for recipient in recipients:
        language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
        ctx = {"recipient": recipient, "url": absolute_url(url), **(context or {})}
        subject, body = render(template, ctx, language)
        notification = Notification.objects.create(
            recipient=recipient, subject=subject, body=body, url=url
        )
        created.append(notification)
        link = absolute_url(url)
        emails.append(
            OutgoingEmail.objects.create(
                to=recipient.email,
                recipient=recipient,
                notification=notification,
                template=template,
                language=language,
                subject=subject,
                body=f"{body}\n\n{link}" if link and link not in body else body,
                status=Status.HELD if hold else Status.QUEUED,
                **_about(about),
            )
        )
    _queue(emails)
    return created


def send_to_address(
    *,
    to,
    template,
    context=None,
    language=None,
    attachments=(),
    about=None,
    hold=False,
    sensitive=False,
):
    """E-mail a bare address (no account needed), rendered in `language` (French by default).

    `sensitive`: its body (a confirmation link) is wiped from the outbox once sent.
    """
    language = language or settings.LANGUAGE_CODE
    subject, body = render(template, dict(context or {}), language)
    email = OutgoingEmail.objects.create(
        to=to,
        template=template,
        language=language,
        subject=subject,
        body=body,
        attachments=[dict(attachment) for attachment in attachments],
        status=Status.HELD if hold else Status.QUEUED,
        sensitive=sensitive,
        **_about(about),
    )
    _queue([email])
    return email


def send_rendered(*, to, subject, body, template, language=None, sensitive=False):
    """Queue a message another library rendered (allauth's verification and reset e-mails).

    `sensitive`: its body (a reset link, a code) is wiped from the outbox once sent.
    """
    email = OutgoingEmail.objects.create(
        to=to,
        template=template,
        language=language or settings.LANGUAGE_CODE,
        subject=" ".join(subject.split())[:255],
        body=body.strip(),
        sensitive=sensitive,
    )
    _queue([email])
    return email


def unsent_about(obj):
    """The e-mails about `obj` that have not left yet (held, queued or failed)."""
    return OutgoingEmail.objects.filter(
        **_about(obj), status__in=[Status.HELD, Status.QUEUED, Status.FAILED]
    )


@transaction.atomic
def cancel_unsent(*, about):
    """Stop the e-mails about `about` that have not left (a revoked invitation…).

    The caller audits the intention that made them moot (revoking the invitation).
    """
    return unsent_about(about).update(status=Status.CANCELLED, updated_at=timezone.now())


@transaction.atomic
def release(*, emails, by, permission="mail.release_email", about=None):
    """Staff let held e-mails leave, or send failed ones again; each release is audited.

    An app whose e-mails they are may say who releases them (`permission` on `about`):
    the decision letters of a call leave on the word of whoever publishes its decisions.
    """
    require(by, permission, about)
    released = []
    for email in OutgoingEmail.objects.select_for_update().filter(
        pk__in=[email.pk for email in emails]
    ):
        if email.status not in (Status.HELD, Status.FAILED):
            raise ValidationError(
                _("Seul un courriel en attente de vérification ou en échec peut être envoyé.")
            )
        before = email.status
        email.status = Status.QUEUED
        email.save(update_fields=["status", "updated_at"])
        audit.record(obj=email, actor=by, action="updated", changes={"status": [before, "queued"]})
        released.append(email)
    _queue(released)
    return released


def send_outbox(*, stuck_after=datetime.timedelta(hours=1), now=None):
    """Queue a task for every e-mail waiting to leave; mark interrupted sends as failed.

    For cron and for upgrades: an e-mail whose task was lost (a worker restarted
    with an empty queue) leaves on the next run; the task claims each e-mail, so
    queuing one twice sends it once. An e-mail "sending" for longer than
    `stuck_after` was interrupted mid-way: nobody knows whether it left, so it is
    marked failed for staff to release, never sent again blindly.
    Returns (queued, failed).
    """
    now = now or timezone.now()
    failed = OutgoingEmail.objects.filter(
        status=Status.SENDING, updated_at__lt=now - stuck_after
    ).update(
        status=Status.FAILED,
        last_error="interrompu pendant l'envoi : il a pu partir ou non",
        updated_at=now,
    )
    waiting = list(OutgoingEmail.objects.filter(status=Status.QUEUED).values_list("pk", flat=True))
    for pk in waiting:
        _enqueue(pk)
    return len(waiting), failed


def mark_read(*, notification, by):
    if notification.recipient_id != by.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, by):
    marked = Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    versions.bump(INBOX)
    return marked
