import pytest
from django.core import mail
from django.db import transaction

from qmi.mail.models import Notification
from qmi.mail.services import notify
from tests.factories import OrganisationFactory, UserFactory
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_notify_records_and_emails_each_recipient_in_their_language(
    django_capture_on_commit_callbacks,
):
    french = UserFactory(language="fr")
    english = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[french, english],
            template="accounts/email/member_joined",
            context={"member": french, "organisation": OrganisationFactory(name="Rue Fraîche")},
            url="/organisations/1/",
        )
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "http://testserver/organisations/1/" in by_address[french.email].body
    assert "Rue Fraîche" in by_address[french.email].subject
    assert by_address[french.email].subject != by_address[english.email].subject
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_notify_sends_no_email_when_the_transaction_rolls_back():
    person = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            recipients=[person],
            template="accounts/email/member_joined",
            context={"member": person, "organisation": "X"},
        )
        raise RuntimeError
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_header_shows_the_unread_count(client):
    person = UserFactory()
    Notification.objects.create(recipient=person, subject="Bonjour", body="…")
    Notification.objects.create(recipient=person, subject="Encore", body="…")
    client.force_login(person)
    response = client.get("/notifications/")
    assert response.context["unread_notifications"] == 2
    assert '2<span class="visually-hidden"> non lues' in response.content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client):
    person = UserFactory()
    notification = Notification.objects.create(
        recipient=person, subject="Invitation", body="…", url="/espace/"
    )
    client.force_login(person)
    response = client.post(f"/notifications/{notification.pk}/ouvrir/")
    assert response["Location"] == "/espace/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_someone_elses_notification_is_a_404(client):
    owner, other = UserFactory(), UserFactory()
    notification = Notification.objects.create(recipient=owner, subject="Privé", body="…")
    client.force_login(other)
    assert client.post(f"/notifications/{notification.pk}/ouvrir/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notification_link_to_another_site_is_not_followed(client):
    person = UserFactory()
    notification = Notification.objects.create(
        recipient=person, subject="x", body="…", url="https://evil.example/"
    )
    client.force_login(person)
    response = client.post(f"/notifications/{notification.pk}/ouvrir/")
    assert response["Location"] == "/notifications/"


def test_notification_list_query_count_does_not_grow(client):
    person = UserFactory()
    client.force_login(person)
    Notification.objects.create(recipient=person, subject="1", body="…")

    def grow():
        for i in range(40):
            Notification.objects.create(recipient=person, subject=str(i), body="…")

    large = assert_constant_queries(client, "/notifications/", grow=grow)
    assert len(large.response.context["page"].object_list) == 25


def test_mark_all_read(client):
    person = UserFactory()
    Notification.objects.create(recipient=person, subject="1", body="…")
    client.force_login(person)
    client.post("/notifications/tout-lire/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
