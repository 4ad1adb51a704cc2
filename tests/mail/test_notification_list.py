import pytest
from django.urls import reverse

from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_links_in_a_notification_are_links_and_the_rest_stays_text(client):
    person = UserFactory()
    NotificationFactory(
        recipient=person,
        subject="Dossier déclaré complet",
        body="Voir le dossier :\nhttp://127.0.0.1:8123/candidatures/12/\n<b>pas du HTML</b>",
    )
    client.force_login(person)
    html = client.get(reverse("mail:notifications")).content.decode()
    assert '<a href="http://127.0.0.1:8123/candidatures/12/"' in html
    assert "&lt;b&gt;pas du HTML&lt;/b&gt;" in html
