"""Message thread pages: who sees what (404 for everyone else), forms, lists and their query counts."""

import pytest

from qmi.calls.models import FaqEntry
from qmi.messaging import queries, services
from qmi.messaging.models import Message, MessageAttachment, Thread
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    staff_user,
)
from tests.utils import assert_constant_queries, executable_upload, pdf_upload

pytestmark = pytest.mark.django_db
Awaiting = Thread.Awaiting


@pytest.fixture
def application():
    return ApplicationFactory()


@pytest.fixture
def applicant(application):
    return MembershipFactory(organisation=application.organisation).user


@pytest.fixture
def thread(application, applicant):
    return services.post_about(
        by=applicant,
        subject=application,
        body="Ligne 1\n<b>Ligne 2</b>",
        attachments=[pdf_upload()],
    ).thread


@pytest.fixture
def stranger():
    """A member of another organisation that has its own application to the same kind of call."""
    return MembershipFactory(organisation=ApplicationFactory().organisation).user


def test_thread_page_shows_escaped_messages_to_the_applicant(client, applicant, thread):
    client.force_login(applicant)
    response = client.get(f"/messages/{thread.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 1<br>&lt;b&gt;Ligne 2&lt;/b&gt;" in content
    assert "budget.pdf" in content
    assert "Gestion de l&#x27;échange" not in content
    assert "thread_awaiting" not in content and f"/gestion/messages/{thread.pk}/" not in content


def test_member_of_another_organisation_gets_404_everywhere(client, stranger, thread, application):
    attachment = MessageAttachment.objects.get()
    client.force_login(stranger)
    assert client.get(f"/messages/{thread.pk}/").status_code == 404
    assert client.post(f"/messages/{thread.pk}/", {"body": "Intrusion"}).status_code == 404
    assert client.get(f"/messages/pieces/{attachment.pk}/").status_code == 404
    assert client.get(f"/candidatures/{application.pk}/messages/").status_code == 404
    assert (
        client.post(f"/candidatures/{application.pk}/messages/", {"body": "x"}).status_code == 404
    )
    assert Message.objects.count() == 1
    assert "Ligne" not in client.get("/messages/").content.decode()


def test_anonymous_visitor_is_sent_to_login(client, thread):
    response = client.get(f"/messages/{thread.pk}/")
    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]


def test_attachment_downloads_as_attachment_with_nosniff(client, applicant, thread):
    attachment = MessageAttachment.objects.get()
    client.force_login(applicant)
    response = client.get(f"/messages/pieces/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="budget.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_staff_can_read_thread_and_download(staff_client, thread):
    attachment = MessageAttachment.objects.get()
    response = staff_client.get(f"/messages/{thread.pk}/")
    assert response.status_code == 200
    assert f"/gestion/messages/{thread.pk}/faq/" in response.content.decode()
    assert staff_client.get(f"/messages/pieces/{attachment.pk}/").status_code == 200


def test_reply_posts_and_flips_awaiting(client, applicant, thread, staff):
    client.force_login(staff)
    response = client.post(f"/messages/{thread.pk}/", {"body": "Nous regardons."})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.NONE  # a staff answer waits for nobody by default
    client.post(f"/messages/{thread.pk}/", {"body": "Lequel ?", "answer_expected": "on"})
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.APPLICANT
    assert thread.messages.last().from_operator is True
    client.force_login(applicant)
    client.post(f"/messages/{thread.pk}/", {"body": "Merci", "answer_expected": "on"})
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.OPERATOR


def test_refused_attachment_keeps_the_typed_text(client, applicant, thread):
    client.force_login(applicant)
    response = client.post(
        f"/messages/{thread.pk}/",
        {"body": "Texte long et précieux", "attachments": [executable_upload()]},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Texte long et précieux" in content
    assert "programme" in content
    assert Message.objects.count() == 1


def test_application_messages_starts_then_redirects_to_the_thread(client, application, applicant):
    client.force_login(applicant)
    url = f"/candidatures/{application.pk}/messages/"
    assert client.get(url).status_code == 200
    assert not Thread.objects.exists()
    response = client.post(url, {"body": "Première question"})
    thread = queries.sole_thread_of(application)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/messages/{thread.pk}/")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{thread.pk}/"


def test_staff_opens_the_application_thread(staff_client, application, applicant):
    response = staff_client.post(
        f"/candidatures/{application.pk}/messages/",
        {"body": "Pouvez-vous envoyer le budget ?", "answer_expected": "on"},
    )
    assert response.status_code == 302
    thread = queries.sole_thread_of(application)
    assert thread.awaiting == Awaiting.APPLICANT  # staff asked for an answer
    assert thread.messages.get().from_operator is True


def test_call_question_form_creates_a_thread_for_the_chosen_organisation(client):
    call = CallFactory(eligible_kinds=["experimenter"])
    membership = MembershipFactory()
    client.force_login(membership.user)
    url = f"/appels/{call.slug}/question/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"organisation": membership.organisation.pk, "subject": "Éligibilité", "body": ""},
    )
    assert response.status_code == 400
    assert "Éligibilité" in response.content.decode()
    response = client.post(
        url,
        {
            "organisation": membership.organisation.pk,
            "subject": "Éligibilité",
            "body": "Sommes-nous éligibles ?",
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert thread.subject == call
    assert thread.organisation == membership.organisation
    assert thread.is_sole is False


def test_call_question_refuses_an_organisation_that_is_not_the_persons(client):
    call = CallFactory(eligible_kinds=["experimenter"])
    membership = MembershipFactory()
    other = OrganisationFactory()
    client.force_login(membership.user)
    response = client.post(
        f"/appels/{call.slug}/question/", {"organisation": other.pk, "subject": "S", "body": "B"}
    )
    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_call_question_is_explained_to_people_without_eligible_organisation(client):
    call = CallFactory(eligible_kinds=["commune"])
    client.force_login(MembershipFactory().user)
    response = client.get(f"/appels/{call.slug}/question/")
    assert response.status_code == 403
    assert "organisation admise" in response.content.decode()


def test_non_staff_get_404_on_inbox_awaiting_and_faq(client, applicant, thread):
    message = thread.messages.get()
    client.force_login(applicant)
    assert client.get("/gestion/messages/").status_code == 404
    assert (
        client.post(f"/gestion/messages/{thread.pk}/attente/", {"awaiting": "none"}).status_code
        == 404
    )
    response = client.post(
        f"/gestion/messages/{thread.pk}/faq/",
        {"message": message.pk, "question": "Q ?", "answer": "R."},
    )
    assert response.status_code == 404
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.OPERATOR
    assert not FaqEntry.objects.exists()


def test_staff_set_awaiting(staff_client, thread):
    response = staff_client.post(f"/gestion/messages/{thread.pk}/attente/", {"awaiting": "none"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.awaiting == Awaiting.NONE


def test_faq_form_is_prefilled_with_the_question_and_the_reply(staff_client, staff, thread):
    services.post_message(by=staff, thread=thread, body="Oui, c'est possible.")
    response = staff_client.get(f"/messages/{thread.pk}/")
    form = response.context["faq_form"]
    assert form.initial["question"] == "Ligne 1\n<b>Ligne 2</b>"
    assert form.initial["answer"] == "Oui, c'est possible."


def test_staff_publish_edited_question_to_faq(staff_client, thread):
    message = thread.messages.get()
    response = staff_client.post(
        f"/gestion/messages/{thread.pk}/faq/",
        {"message": message.pk, "question": "Peut-on joindre un budget ?", "answer": "Oui."},
    )
    assert response.status_code == 302
    entry = FaqEntry.objects.get()
    assert entry.call == thread.subject.call
    assert entry.is_published
    assert entry.question == "Peut-on joindre un budget ?"
    assert entry.answer == "Oui."


def test_faq_publication_error_keeps_the_text(staff_client, thread):
    message = thread.messages.get()
    response = staff_client.post(
        f"/gestion/messages/{thread.pk}/faq/",
        {"message": message.pk, "question": "Ma question reformulée", "answer": ""},
    )
    assert response.status_code == 400
    assert "Ma question reformulée" in response.content.decode()
    assert not FaqEntry.objects.exists()


def test_inbox_filters_by_awaiting_call_and_unread(staff_client, staff, thread):
    other_application = ApplicationFactory()
    other = services.post_about(
        by=MembershipFactory(organisation=other_application.organisation).user,
        subject=other_application,
        body="Autre",
    ).thread
    services.set_awaiting(thread=other, by=staff, value=Awaiting.NONE)

    def listed(query):
        response = staff_client.get(f"/gestion/messages/{query}")
        assert response.status_code == 200
        return {t.pk for t in response.context["page"].object_list}

    assert listed("") == {thread.pk, other.pk}
    assert listed("?attente=operator") == {thread.pk}
    assert listed("?attente=none") == {other.pk}
    assert listed(f"?appel={other_application.call_id}") == {other.pk}
    services.mark_read(thread=thread, by=staff)
    assert listed("?non_lus=1") == {other.pk}


def test_opening_a_thread_marks_it_read(staff_client, staff, thread):
    assert queries.unread_threads_count(staff) == 1
    staff_client.get(f"/messages/{thread.pk}/")
    assert queries.unread_threads_count(staff) == 0


def _threads(count, organisation):
    for _ in range(count):
        author = MembershipFactory(organisation=organisation).user
        services.post_about(
            by=author,
            subject=ApplicationFactory(organisation=organisation),
            body="Question",
        )


def test_inbox_query_count_does_not_grow_with_threads(staff_client):
    organisation = OrganisationFactory()
    _threads(2, organisation)
    large = assert_constant_queries(
        staff_client, "/gestion/messages/", grow=lambda: _threads(18, organisation)
    )
    assert len(large.response.context["page"].object_list) == 20


def test_my_messages_query_count_does_not_grow_with_threads(client):
    organisation = OrganisationFactory()
    person = MembershipFactory(organisation=organisation).user
    client.force_login(person)
    _threads(2, organisation)
    large = assert_constant_queries(client, "/messages/", grow=lambda: _threads(18, organisation))
    assert len(large.response.context["page"].object_list) == 20


def test_my_messages_lists_only_my_organisations_threads_with_unread(
    client, applicant, thread, stranger
):
    client.force_login(stranger)
    assert list(client.get("/messages/").context["page"].object_list) == []
    staff = staff_user()
    services.post_message(by=staff, thread=thread, body="Réponse")
    client.force_login(applicant)
    rows = list(client.get("/messages/").context["page"].object_list)
    assert [row.pk for row in rows] == [thread.pk]
    assert rows[0].unread is True
