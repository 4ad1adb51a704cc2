"""The header's counters: unread notifications and threads, and where "Messages" leads."""

import pytest

from qmi.messaging import services
from tests.factories import ApplicationFactory, MembershipFactory, staff_user

pytestmark = pytest.mark.django_db


def test_header_counts_unread_threads_and_links_each_side_to_its_inbox(client):
    application = ApplicationFactory()
    applicant = MembershipFactory(organisation=application.organisation).user
    staff = staff_user()
    services.post_about(by=applicant, subject=application, body="Question")

    client.force_login(staff)
    response = client.get("/messages/")
    assert response.context["unread_threads"] == 1
    assert response.context["messages_url_name"] == "messaging:backoffice_inbox"
    assert 'href="/gestion/messages/"' in response.content.decode()

    client.force_login(applicant)
    response = client.get("/messages/")
    assert response.context["unread_threads"] == 0
    assert response.context["messages_url_name"] == "messaging:my_messages"


def test_anonymous_visitors_get_zero_counts(client):
    response = client.get("/")
    assert response.context["unread_threads"] == 0
    assert response.context["unread_notifications"] == 0
