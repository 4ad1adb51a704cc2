"""Drafts never submitted: announced once to the organisation's members, deleted only after."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from qmi.calls.models import Application, DeletionNotice, Document
from qmi.calls.services.retention import NOTICE_DAYS, purge_drafts
from qmi.core.dates import format_date
from qmi.core.models import AuditEntry
from qmi.mail.models import Notification
from qmi.messaging.models import Message, Thread
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    DocumentFactory,
    MembershipFactory,
    MessageAttachmentFactory,
    MessageFactory,
    OrganisationFactory,
    ThreadFactory,
)
from tests.utils import stored_files

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _stored(name):
    return any(path.as_posix().endswith(name) for path in stored_files())


@pytest.fixture
def retention(settings):
    settings.QMI_DRAFT_RETENTION_DAYS = 365
    return 365


def call_closed(days_ago):
    closes_at = timezone.now() - days_ago * DAY
    return CallFactory(opens_at=closes_at - 30 * DAY, closes_at=closes_at)


def draft(call, *, announced_days_ago=None, **fields):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation)
    MembershipFactory(organisation=organisation)
    application = ApplicationFactory(call=call, organisation=organisation, **fields)
    if announced_days_ago is not None:
        DeletionNotice.objects.create(
            application=application, sent_at=timezone.now() - announced_days_ago * DAY
        )
    return application


def announced(application):
    return DeletionNotice.objects.filter(application=application).exists()


def test_the_announcement_goes_once_30_days_before_and_the_deletion_only_after_it(retention):
    call = call_closed(days_ago=retention - NOTICE_DAYS)
    application = draft(call)
    document = DocumentFactory(application=application)
    attachment = MessageAttachmentFactory(
        message=MessageFactory(thread=ThreadFactory(application=application))
    )
    assert _stored(document.file.name) and _stored(attachment.file.name)
    now = timezone.now()

    done = purge_drafts(now=now)
    assert done == {"announced": [application.reference], "deleted": []}
    assert DeletionNotice.objects.get(application=application).sent_at == now
    notices = Notification.objects.filter(subject__startswith="Le brouillon")
    assert notices.count() == 2  # each member, once
    assert AuditEntry.objects.filter(action="draft_deletion_announced").count() == 1

    # The next days: nothing new, and not deleted before its date.
    for days in (1, NOTICE_DAYS - 1):
        assert purge_drafts(now=now + days * DAY) == {"announced": [], "deleted": []}
    assert notices.count() == 2
    assert Application.objects.filter(pk=application.pk).exists()

    # Its day: the draft goes with its documents, threads and their files.
    with_commit = purge_drafts(now=now + NOTICE_DAYS * DAY + DAY)
    assert with_commit == {"announced": [], "deleted": [application.reference]}
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Document.objects.exists()
    assert not Thread.objects.exists() and not Message.objects.exists()
    entry = AuditEntry.objects.get(action="draft_deleted")
    assert entry.object_id == str(call.pk)
    assert application.reference in entry.changes["brouillon"][0]


def test_the_stored_files_go_after_the_commit(retention, django_capture_on_commit_callbacks):
    call = call_closed(days_ago=retention + 1)
    application = draft(call, announced_days_ago=NOTICE_DAYS + 1)
    document = DocumentFactory(application=application)
    assert _stored(document.file.name)  # kept until the commit
    with django_capture_on_commit_callbacks(execute=True):
        purge_drafts()
    assert not _stored(document.file.name)


def test_a_draft_past_its_date_but_never_announced_is_announced_first(retention):
    """A job that did not run for months (or a shorter setting) never deletes by surprise."""
    application = draft(call_closed(days_ago=retention + 100))
    now = timezone.now()
    assert purge_drafts(now=now) == {"announced": [application.reference], "deleted": []}
    body = Notification.objects.filter(
        recipient__memberships__organisation=application.organisation
    )
    expected = timezone.localdate(now + NOTICE_DAYS * DAY)
    assert format_date(expected) in body.first().subject
    assert purge_drafts(now=now + (NOTICE_DAYS - 1) * DAY)["deleted"] == []
    assert purge_drafts(now=now + NOTICE_DAYS * DAY)["deleted"] == [application.reference]


def test_submitted_files_and_recent_drafts_are_left_alone(retention):
    old = call_closed(days_ago=retention + 100)
    submitted = draft(
        old, status=Application.Status.SUBMITTED, submitted_at=timezone.now() - 400 * DAY
    )
    withdrawn_after_submission = draft(
        old, status=Application.Status.WITHDRAWN, submitted_at=timezone.now() - 400 * DAY
    )
    recent = draft(call_closed(days_ago=retention - NOTICE_DAYS - 1))
    open_call = draft(CallFactory())
    purge_drafts()
    purge_drafts(now=timezone.now() + (NOTICE_DAYS + 1) * DAY)
    for application in (submitted, withdrawn_after_submission, open_call):
        assert not announced(application)
    assert announced(recent)  # its turn came in the second run
    assert Application.objects.count() == 4


def test_a_draft_submitted_after_its_announcement_is_kept(retention):
    application = draft(
        call_closed(days_ago=retention + 1),
        announced_days_ago=NOTICE_DAYS + 1,
    )
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    assert purge_drafts()["deleted"] == []
    assert Application.objects.filter(pk=application.pk).exists()


def test_the_command_has_a_dry_run_that_changes_nothing(retention):
    announce = draft(call_closed(days_ago=retention - 1))
    delete = draft(
        call_closed(days_ago=retention + 1),
        announced_days_ago=NOTICE_DAYS + 1,
    )
    out = io.StringIO()
    call_command("purge_drafts", "--dry-run", stdout=out)
    assert f"à prévenir : {announce.reference}" in out.getvalue()
    assert f"à supprimer : {delete.reference}" in out.getvalue()
    assert not Notification.objects.exists()
    assert Application.objects.count() == 2
    out = io.StringIO()
    call_command("purge_drafts", stdout=out)
    assert "Fait : 1 brouillon annoncé, 1 supprimé." in out.getvalue()
    assert list(Application.objects.all()) == [announce]
