"""The person is kept between requests (accounts.backends): every change to them shows at once."""

import json

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, load_backend
from django.urls import reverse

from qmi.accounts.adapter import pop_return_to
from qmi.accounts.models import User
from tests.factories import ApplicationFactory, CallFactory, UserFactory, add_question
from tests.utils import member_of

pytestmark = pytest.mark.django_db

BACKENDS = [
    "qmi.accounts.backends.SecondFactorModelBackend",
    "qmi.accounts.backends.AccountBackend",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_deactivated_person_is_logged_out_on_the_next_request(client, backend):
    person = UserFactory()
    client.force_login(person, backend=backend)
    assert client.get(reverse("portal:home")).status_code == 200
    person.is_active = False
    person.save()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_new_name_is_the_one_the_next_request_records(client):
    """The autosave signs each answer with the person's name, as read for that request."""
    call = CallFactory()
    add_question(call, "projet")
    application = ApplicationFactory(call=call)
    person = member_of(application.organisation, full_name="Alix Martin")
    client.force_login(person)

    def save(title):
        shown = json.dumps(application.answers)  # what the page was showing
        data = {
            "section": 1,
            "base_version": application.version,
            "original": shown,
            "a_projet": title,
        }
        assert client.post(f"/candidatures/{application.pk}/enregistrer/", data).status_code == 302
        application.refresh_from_db()
        return application.answers_meta["projet"]["name"]

    assert save("Bancs") == "Alix Martin"
    person.full_name = "Zélie Martin"
    person.save()
    assert save("Bancs frais") == "Zélie Martin"


def test_the_page_sign_up_started_from_is_forgotten_by_every_later_read(client):
    person = UserFactory(return_to="/appels/qmi-2-ami/")
    client.force_login(person)
    client.get(reverse("portal:home"))  # the person is kept from here on
    backend = load_backend(client.session[BACKEND_SESSION_KEY])
    assert backend.get_user(person.pk).return_to == "/appels/qmi-2-ami/"
    assert pop_return_to(User.objects.get(pk=person.pk)) == "/appels/qmi-2-ami/"
    assert backend.get_user(person.pk).return_to == ""
