"""Retention of drafts never submitted: announced, then deleted (`manage.py purge_drafts`).

A draft that was never submitted is personal data without a purpose once its call
has closed: it is deleted QMI_DRAFT_RETENTION_DAYS after the closing date. The
organisation's members are told NOTICE_DAYS before, once; the deletion never
comes sooner than NOTICE_DAYS after that e-mail, even when the job did not run
for a while or the setting was shortened.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qmi.core import audit
from qmi.mail.services import notify
from qmi.messaging.models import MessageAttachment, Thread

from ..models import Application, DeletionNotice
from ..queries import application_members

NOTICE_DAYS = 30

Status = Application.Status


def never_submitted():
    """Drafts, and drafts withdrawn before any submission."""
    return Application.objects.filter(
        Q(status=Status.DRAFT) | Q(status=Status.WITHDRAWN, submitted_at__isnull=True)
    )


def deletion_date(application):
    return application.call.closes_at + datetime.timedelta(days=settings.QMI_DRAFT_RETENTION_DAYS)


def due_for_notice(now):
    """Drafts whose deletion is NOTICE_DAYS away (or nearer) and whose members were not told."""
    horizon = now - datetime.timedelta(days=settings.QMI_DRAFT_RETENTION_DAYS - NOTICE_DAYS)
    return never_submitted().filter(call__closes_at__lte=horizon, deletion_notice__isnull=True)


def due_for_deletion(now):
    """Drafts past their retention whose members were told at least NOTICE_DAYS ago."""
    limit = now - datetime.timedelta(days=settings.QMI_DRAFT_RETENTION_DAYS)
    return never_submitted().filter(
        call__closes_at__lte=limit,
        deletion_notice__sent_at__lte=now - datetime.timedelta(days=NOTICE_DAYS),
    )


def purge_drafts(*, now=None, dry_run=False):
    """Announce the coming deletions, delete the drafts due; returns the references of each.

    Run daily (cron: `manage.py purge_drafts`); each draft is announced once and
    deleted once, each in its own transaction, each audited.
    """
    now = now or timezone.now()
    announced = list(due_for_notice(now).select_related("call", "organisation"))
    deleted = list(due_for_deletion(now).select_related("call", "organisation"))
    if not dry_run:
        for application in announced:
            _announce(application, now)
        for application in deleted:
            _delete(application)
    return {
        "announced": [application.reference for application in announced],
        "deleted": [application.reference for application in deleted],
    }


@transaction.atomic
def _announce(application, now):
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.submitted_at is not None:
        return
    _, created = DeletionNotice.objects.get_or_create(application=locked, defaults={"sent_at": now})
    if not created:
        return
    # Never sooner than NOTICE_DAYS after this e-mail, whatever the closing date says.
    on = max(deletion_date(application), now + datetime.timedelta(days=NOTICE_DAYS))
    notify(
        recipients=application_members(application),
        template="calls/email/draft_deletion_notice",
        context={"application": application, "deletion_date": on},
        url=reverse("calls:application", kwargs={"pk": application.pk}),
    )
    audit.record(
        obj=application,
        actor=None,
        action="draft_deletion_announced",
        changes={"suppression prévue le": [None, on.isoformat()]},
    )


@transaction.atomic
def _delete(application):
    """Delete the draft with its documents and its threads; their files go after the commit."""
    locked = Application.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None or locked.submitted_at is not None:
        return
    threads = Thread.objects.filter(
        subject_type=ContentType.objects.get_for_model(Application), subject_id=locked.pk
    )
    files = [document.file for document in locked.documents.all()]
    files += [
        attachment.file
        for attachment in MessageAttachment.objects.filter(message__thread__in=threads)
    ]
    audit.record(
        obj=locked.call,
        actor=None,
        action="draft_deleted",
        changes={"brouillon": [f"{locked.reference} — {application.organisation}", None]},
    )
    threads.delete()
    locked.delete()
    stored = [(file.storage, file.name) for file in files if file.name]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in stored])
