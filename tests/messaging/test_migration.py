"""Migrating calls' threads into messaging keeps every row, key, subject, file path and audit entry."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from qmi.calls.models import Application, Call
from qmi.core.models import AuditEntry
from qmi.messaging import services
from qmi.messaging.models import Message, MessageAttachment, Thread, ThreadRead
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory

BEFORE = [("calls", "0005_application_list_index"), ("messaging", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_threads_messages_attachments_and_reads_survive_with_their_subjects():
    # Today's factories build the subjects and people before going back (later migrations
    # add columns to calls' tables), the historical models build the old threads.
    application = ApplicationFactory()
    call = CallFactory(eligible_kinds=["experimenter"])
    member = MembershipFactory(organisation=application.organisation).user
    asker = MembershipFactory().user
    reader = UserFactory()
    old = migrate(BEFORE)
    OldThread = old.get_model("calls", "Thread")
    OldMessage = old.get_model("calls", "Message")
    OldAttachment = old.get_model("calls", "MessageAttachment")
    OldRead = old.get_model("calls", "ThreadRead")
    when = timezone.now() - datetime.timedelta(days=3)
    about_application = OldThread.objects.create(
        pk=41,
        call_id=application.call_id,
        application_id=application.pk,
        organisation_id=application.organisation_id,
        subject="Dossier",
        awaiting="operator",
        last_message_at=when,
    )
    question = OldThread.objects.create(
        pk=57,
        call_id=call.pk,
        application=None,
        organisation_id=asker.memberships.get().organisation_id,
        subject="Éligibilité",
        awaiting="applicant",
        last_message_at=when,
    )
    first = OldMessage.objects.create(
        pk=300, thread=about_application, author_id=member.pk, body="Bonjour", created_at=when
    )
    OldMessage.objects.create(
        pk=301, thread=question, author=None, body="Réponse", created_at=when, from_operator=True
    )
    OldAttachment.objects.create(
        pk=90,
        message=first,
        file="messages/41/0123456789abcdef.pdf",
        name="budget.pdf",
        content_type="application/pdf",
        size=1234,
        sha256="a" * 64,
    )
    OldRead.objects.create(pk=12, thread=question, user_id=reader.pk, last_read_at=when)
    thread_type, _ = ContentType.objects.get_or_create(app_label="calls", model="thread")
    AuditEntry.objects.create(
        action="created", content_type=thread_type, object_id="57", object_repr="Éligibilité"
    )

    migrate(latest())

    copied = Thread.objects.get(pk=41)
    assert copied.subject == Application.objects.get(pk=application.pk)
    assert copied.is_sole is True
    assert (copied.organisation_id, copied.title, copied.awaiting, copied.last_message_at) == (
        application.organisation_id,
        "Dossier",
        "operator",
        when,
    )
    asked = Thread.objects.get(pk=57)
    assert asked.subject == Call.objects.get(pk=call.pk)
    assert asked.is_sole is False
    assert (asked.title, asked.awaiting) == ("Éligibilité", "applicant")
    message = Message.objects.get(pk=300)
    assert (message.thread_id, message.author_id, message.body) == (41, member.pk, "Bonjour")
    answer = Message.objects.get(pk=301)
    assert (answer.thread_id, answer.author_id, answer.from_operator) == (57, None, True)
    attachment = MessageAttachment.objects.get(pk=90)
    assert attachment.message_id == 300
    assert attachment.file.name == "messages/41/0123456789abcdef.pdf"
    assert (attachment.name, attachment.size, attachment.sha256) == ("budget.pdf", 1234, "a" * 64)
    read = ThreadRead.objects.get(pk=12)
    assert (read.thread_id, read.user_id, read.last_read_at) == (57, reader.pk, when)
    entry = AuditEntry.objects.get(object_id="57")
    assert (entry.content_type.app_label, entry.content_type.model) == ("messaging", "thread")

    # The sequences continue past the copied keys.
    new = services.post_about(
        by=asker,
        subject=Call.objects.get(pk=call.pk),
        organisation=asker.memberships.get().organisation,
        body="?",
        title="T",
    )
    assert new.thread_id > 57 and new.pk > 301
    assert services.post_about(by=member, subject=copied.subject, body="Suite").thread_id == 41

    # Unapplying copies everything back into the calls tables.
    old = migrate(BEFORE)
    back = old.get_model("calls", "Thread").objects.get(pk=41)
    assert (back.application_id, back.call_id, back.subject) == (
        application.pk,
        application.call_id,
        "Dossier",
    )
    back = old.get_model("calls", "Thread").objects.get(pk=57)
    assert (back.application_id, back.call_id, back.subject) == (None, call.pk, "Éligibilité")
    assert old.get_model("calls", "Message").objects.count() == 4
    attachment = old.get_model("calls", "MessageAttachment").objects.get(pk=90)
    assert attachment.file.name == "messages/41/0123456789abcdef.pdf"
    assert old.get_model("calls", "ThreadRead").objects.filter(pk=12, user_id=reader.pk).exists()
    assert AuditEntry.objects.get(object_id="57").content_type.app_label == "calls"
    migrate(latest())
