"""Message threads: posting, who must answer, notifications, attachments, unread counts, FAQ."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from qmi.calls.models import FaqEntry
from qmi.calls.services import faq as calls_services
from qmi.core.models import AuditEntry
from qmi.mail.models import Notification
from qmi.messaging import queries, services
from qmi.messaging.models import Message, MessageAttachment, Thread, ThreadRead
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    staff_user,
)
from tests.utils import executable_upload, pdf_upload, stored_files

pytestmark = pytest.mark.django_db
Awaiting = Thread.Awaiting


@pytest.fixture
def application():
    return ApplicationFactory()


@pytest.fixture
def applicant(application):
    return MembershipFactory(
        organisation=application.organisation, user__email="porteur@exemple.fr"
    ).user


@pytest.fixture
def operator():
    return staff_user(email="equipe@parisandco.fr")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_post_by_applicant_creates_thread_and_awaits_operator(application, applicant):
    message = services.post_about(by=applicant, subject=application, body="  Bonjour ?  ")
    thread = message.thread
    assert Thread.objects.get() == thread
    assert thread.subject == application
    assert thread.is_sole is True
    assert thread.organisation == application.organisation
    assert thread.subject.call == application.call
    assert thread.info.scope_title == application.call.title
    assert thread.awaiting == Awaiting.OPERATOR
    assert thread.last_message_at == message.created_at
    assert message.body == "Bonjour ?"
    assert message.from_operator is False
    assert message.author == applicant


def test_application_keeps_a_single_thread(application, applicant, operator):
    first = services.post_about(by=applicant, subject=application, body="Question 1")
    second = services.post_about(by=operator, subject=application, body="Réponse")
    assert first.thread_id == second.thread_id
    assert Thread.objects.count() == 1
    assert Message.objects.count() == 2


def test_staff_reply_awaits_nobody_unless_staff_ask_for_an_answer(application, applicant, operator):
    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    reply = services.post_message(by=operator, thread=thread, body="Réponse")
    thread.refresh_from_db()
    assert reply.from_operator is True
    assert thread.awaiting == Awaiting.NONE
    services.post_message(
        by=operator, thread=thread, body="Pouvez-vous préciser ?", expects_answer=True
    )
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.APPLICANT
    services.post_message(by=applicant, thread=thread, body="Merci", expects_answer=False)
    thread.refresh_from_db()
    # Applicants always expect an answer: the flag is the operator's alone.
    assert thread.awaiting == Awaiting.OPERATOR


def test_applicant_message_emails_operator_staff_with_link_and_no_attachment(
    application, applicant, operator, on_commit
):
    colleague = MembershipFactory(organisation=application.organisation).user
    metropolis = UserFactory()
    MembershipFactory(user=metropolis, organisation=OrganisationFactory(kind="metropolis"))
    message = on_commit(
        lambda: services.post_about(
            by=applicant,
            subject=application,
            body="Le budget est-il plafonné ?",
            attachments=[pdf_upload()],
        )
    )
    assert [email.to for email in mail.outbox] == [[operator.email]]
    email = mail.outbox[0]
    link = f"http://testserver/messages/{message.thread_id}/"
    assert link in email.body
    assert applicant.get_full_name() in email.body
    assert application.organisation.name in email.body
    assert email.attachments == []
    assert "budget.pdf" not in email.body
    assert not Notification.objects.filter(
        recipient__in=[applicant, colleague, metropolis]
    ).exists()


def test_staff_message_emails_the_organisation_members_only(
    application, applicant, operator, on_commit
):
    colleague = MembershipFactory(organisation=application.organisation).user
    other_staff = staff_user()
    on_commit(lambda: services.post_about(by=operator, subject=application, body="Bonjour"))
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [applicant.email, colleague.email]
    )
    assert other_staff.email not in {email.to[0] for email in mail.outbox}
    assert all(operator.get_full_name() in email.body for email in mail.outbox)


def test_executable_attachment_is_refused_and_nothing_is_stored(application, applicant, on_commit):
    with pytest.raises(ValidationError) as refused:
        on_commit(
            lambda: services.post_about(
                by=applicant,
                subject=application,
                body="Voici la facture",
                attachments=[pdf_upload(), executable_upload()],
            )
        )
    assert "programme" in " ".join(refused.value.message_dict["attachments"])
    assert not Thread.objects.exists()
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()
    assert stored_files() == []
    assert mail.outbox == []


def test_pdf_attachment_is_stored_under_our_name(application, applicant):
    message = services.post_about(
        by=applicant,
        subject=application,
        body="Budget joint",
        attachments=[pdf_upload("Budget 2024.pdf")],
    )
    attachment = message.attachments.get()
    assert attachment.name == "Budget_2024.pdf"
    assert attachment.content_type == "application/pdf"
    assert len(attachment.sha256) == 64
    assert attachment.file.name.startswith(f"messages/{message.thread_id}/")
    assert "Budget" not in attachment.file.name
    assert len(stored_files()) == 1


def test_too_many_attachments_are_refused(application, applicant):
    with pytest.raises(ValidationError):
        services.post_about(
            by=applicant,
            subject=application,
            body="Six fichiers",
            attachments=[pdf_upload(f"f{i}.pdf") for i in range(services.MAX_ATTACHMENTS + 1)],
        )
    assert not Message.objects.exists()


def test_empty_message_is_refused(application, applicant):
    with pytest.raises(ValidationError) as refused:
        services.post_about(by=applicant, subject=application, body="   ")
    assert "body" in refused.value.message_dict
    assert not Thread.objects.exists()


def test_member_of_another_organisation_cannot_post(application, applicant):
    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    stranger = MembershipFactory().user
    with pytest.raises(PermissionDenied):
        services.post_message(by=stranger, thread=thread, body="Intrusion")
    with pytest.raises(PermissionDenied):
        services.post_about(by=stranger, subject=application, body="Intrusion")
    assert Message.objects.count() == 1


def test_unread_counts_go_up_and_down(application, applicant, operator):
    colleague = MembershipFactory(organisation=application.organisation).user
    stranger = MembershipFactory().user
    assert queries.unread_threads_count(operator) == 0

    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    assert queries.unread_threads_count(operator) == 1
    assert queries.unread_threads_count(applicant) == 0  # one's own message is read
    assert queries.unread_threads_count(colleague) == 1
    assert queries.unread_threads_count(stranger) == 0

    services.mark_read(thread=Thread.objects.get(pk=thread.pk), by=operator)
    assert queries.unread_threads_count(operator) == 0

    services.post_message(by=operator, thread=thread, body="Réponse")
    assert queries.unread_threads_count(applicant) == 1
    assert queries.unread_threads_count(operator) == 0
    services.mark_read(thread=Thread.objects.get(pk=thread.pk), by=applicant)
    assert queries.unread_threads_count(applicant) == 0
    assert queries.unread_threads_count(colleague) == 1
    assert set(ThreadRead.objects.filter(thread=thread).values_list("user", flat=True)) == {
        applicant.pk,
        operator.pk,
    }


def test_mark_read_never_moves_backwards(application, applicant, operator):
    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    stale = Thread.objects.get(pk=thread.pk)
    services.post_message(by=applicant, thread=thread, body="Précision")
    services.mark_read(thread=Thread.objects.get(pk=thread.pk), by=operator)
    services.mark_read(thread=stale, by=operator)
    assert queries.unread_threads_count(operator) == 0


def test_set_awaiting_is_staff_only_and_audited(application, applicant, operator):
    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    with pytest.raises(PermissionDenied):
        services.set_awaiting(thread=thread, by=applicant, value=Awaiting.NONE)
    services.set_awaiting(thread=thread, by=operator, value=Awaiting.NONE)
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.NONE
    entry = AuditEntry.objects.get(object_id=str(thread.pk), action="updated")
    assert entry.actor == operator
    assert entry.changes == {"awaiting": ["operator", "none"]}


def test_publish_to_faq_creates_a_published_entry_with_the_edited_text(
    application, applicant, operator
):
    message = services.post_about(
        by=applicant,
        subject=application,
        body="Chez Organisation X, le budget est-il plafonné ?",
    )
    with pytest.raises(PermissionDenied):
        calls_services.publish_to_faq(message=message, by=applicant, question="Q", answer="R")
    entry = calls_services.publish_to_faq(
        message=message,
        by=operator,
        question="Le budget est-il plafonné ?",
        answer="Oui, à 50 000 €.",
    )
    assert entry.call == application.call
    assert entry.is_published is True
    assert entry.question == "Le budget est-il plafonné ?"
    assert entry.answer == "Oui, à 50 000 €."
    assert AuditEntry.objects.filter(
        object_id=str(entry.pk), action="created", actor=operator
    ).exists()


def test_publish_to_faq_needs_question_and_answer(application, applicant, operator):
    message = services.post_about(by=applicant, subject=application, body="Question")
    with pytest.raises(ValidationError) as refused:
        calls_services.publish_to_faq(message=message, by=operator, question=" ", answer="")
    assert set(refused.value.message_dict) == {"question", "answer"}
    assert not FaqEntry.objects.exists()


def test_call_question_needs_an_eligible_organisation_of_the_person():
    call = CallFactory(eligible_kinds=["experimenter"])
    member = MembershipFactory().user
    organisation = member.memberships.get().organisation
    message = services.post_about(
        by=member,
        subject=call,
        organisation=organisation,
        title="Éligibilité",
        body="Sommes-nous éligibles ?",
    )
    assert message.thread.subject == call
    assert message.thread.is_sole is False
    assert message.thread.title == "Éligibilité"
    assert message.thread.awaiting == Awaiting.OPERATOR

    with pytest.raises(PermissionDenied):
        services.post_about(
            by=UserFactory(), subject=call, organisation=organisation, title="S", body="B"
        )
    commune_member = MembershipFactory(organisation=OrganisationFactory(kind="commune")).user
    with pytest.raises(PermissionDenied):
        services.post_about(
            by=commune_member,
            subject=call,
            organisation=commune_member.memberships.get().organisation,
            title="S",
            body="B",
        )
    assert Thread.objects.count() == 1


def test_call_question_is_refused_on_a_closed_call():
    call = CallFactory(status="closed")
    member = MembershipFactory().user
    with pytest.raises(PermissionDenied):
        services.post_about(
            by=member,
            subject=call,
            organisation=member.memberships.get().organisation,
            title="S",
            body="B",
        )


def test_unread_count_is_one_query_for_staff_and_applicants(
    application, applicant, operator, django_assert_num_queries
):
    services.post_about(by=applicant, subject=application, body="Question")
    for person in (operator, applicant):
        person = type(person).objects.get(pk=person.pk)  # no cached memberships
        with django_assert_num_queries(1):
            queries.unread_threads_count(person)


def test_database_refuses_a_second_thread_for_an_application(application, applicant):
    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    with pytest.raises(IntegrityError), transaction.atomic():
        Thread.objects.create(
            subject=application, is_sole=True, organisation=thread.organisation, title="x"
        )


def test_a_subject_with_a_thread_cannot_be_deleted(application, applicant):
    """The old foreign keys protected threads; the generic link is guarded the same way."""
    services.post_about(by=applicant, subject=application, body="Bonjour")
    with pytest.raises(ProtectedError), transaction.atomic():
        application.delete()
    assert Thread.objects.filter(subject_id=application.pk).exists()
    ApplicationFactory().delete()  # a subject nobody wrote about goes as before
