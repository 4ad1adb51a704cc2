"""The header's unread counts: kept per person, never stale after a change."""

import pytest
from django.urls import reverse

from qmi.mail.models import Notification
from qmi.mail.services import mark_all_read
from qmi.messaging import services
from qmi.messaging.models import Thread
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory, staff_user
from tests.utils import count_queries

pytestmark = pytest.mark.django_db


def _badge(html):
    start = html.index('href="/notifications/"')
    return html[start : html.index("</a>", start)]


def test_the_counts_are_kept_until_a_notification_changes(client):
    person = UserFactory()
    client.force_login(person)
    Notification.objects.create(recipient=person, subject="Dossier reçu", body="…")
    url = reverse("calls:my_applications")
    kept = count_queries(client, url)  # the warm-up computed the counts
    assert ">1<" in _badge(kept.content.decode())
    Notification.objects.create(recipient=person, subject="Correction demandée", body="…")
    counted = count_queries(client, url, warm=False)
    assert counted.queries > kept.queries
    assert ">2<" in _badge(counted.content.decode())
    mark_all_read(by=person)  # a bulk update: the service bumps the version itself
    assert "badge" not in _badge(client.get(url).content.decode())


def test_one_person_never_sees_another_s_counts(client):
    reader, other = UserFactory(), UserFactory()
    Notification.objects.create(recipient=other, subject="Pour l'autre", body="…")
    client.force_login(other)
    assert ">1<" in _badge(client.get("/candidatures/").content.decode())
    client.force_login(reader)
    assert "badge" not in _badge(client.get("/candidatures/").content.decode())


def _messages_link(html):
    start = html.index(">Messages")
    return html[start : html.index("</a>", start)]


def test_the_unread_threads_follow_messages_and_readings(client):
    application = ApplicationFactory()
    applicant = MembershipFactory(organisation=application.organisation).user
    operator = staff_user()
    thread = services.post_about(by=applicant, subject=application, body="Question").thread
    client.force_login(applicant)
    assert "badge" not in _messages_link(client.get("/candidatures/").content.decode())
    services.post_message(by=operator, thread=thread, body="Réponse")
    assert ">1<" in _messages_link(client.get("/candidatures/").content.decode())
    # The reading already exists: the service moves it forward with a bulk update.
    services.mark_read(thread=Thread.objects.get(pk=thread.pk), by=applicant)
    assert "badge" not in _messages_link(client.get("/candidatures/").content.decode())
