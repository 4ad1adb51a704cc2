"""Double opt-in: a registration counts, and its calendar file leaves, once its address is confirmed.

Anyone may type anyone's address into the public form: until the owner of the address
presses the button behind the e-mailed link, nothing counts and no invitation is sent.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmi.calls.funnel import registrants_who_started
from qmi.events import services
from qmi.events.models import Registration
from qmi.mail.models import OutgoingEmail
from qmi.mail.tasks import WIPED
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    UserFactory,
    information_session,
)
from tests.utils import latest_migrations, migrate, post_registration, registration_url

pytestmark = pytest.mark.django_db


def _link(message):
    [url] = re.findall(r"https?://\S+/inscriptions/\S+/confirmer/", message.body)
    return urlsplit(url).path


def _confirm_url(registration):
    return reverse("events:confirm", kwargs={"token": registration.token})


def _confirmed(session, email):
    return Registration.objects.create(
        event=session, name="Inscrit", email=email, confirmed_at=timezone.now()
    )


def test_anonymous_registration_is_pending_and_only_the_link_leaves(
    client, django_capture_on_commit_callbacks
):
    session = information_session()
    response = post_registration(client, session, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.confirmed_at is None
    assert len(registration.token) >= 43
    [message] = mail.outbox
    assert message.to == ["camille@exemple.fr"]
    assert "Confirmez votre inscription" in message.subject
    assert message.attachments == []
    assert _link(message) == _confirm_url(registration)
    assert "Camille Martin" not in message.body and "Ville de Sceaux" not in message.body

    page = client.get(response["Location"]).content.decode()
    assert "Vérifiez votre messagerie" in page
    assert "camille@exemple.fr" in page
    assert registration_url(session, "calls:session_ics") not in page


def test_the_link_is_wiped_from_the_outbox_once_sent(client, django_capture_on_commit_callbacks):
    post_registration(client, information_session(), django_capture_on_commit_callbacks)
    assert OutgoingEmail.objects.get().body == WIPED


def test_opening_the_link_does_not_confirm(client, django_capture_on_commit_callbacks):
    session = information_session()
    post_registration(client, session, django_capture_on_commit_callbacks)
    registration = Registration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(_confirm_url(registration))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Je confirme mon inscription" in content
    assert "camille@exemple.fr" in content
    assert 'method="post"' in content
    registration.refresh_from_db()
    assert registration.confirmed_at is None
    assert len(mail.outbox) == 1


def test_pressing_the_button_confirms_once_and_sends_the_calendar_file(
    client, django_capture_on_commit_callbacks
):
    session = information_session()
    post_registration(client, session, django_capture_on_commit_callbacks)
    registration = Registration.objects.get()
    other_browser, third_browser = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = other_browser.post(_confirm_url(registration))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.confirmed_at is not None
    [_, message] = mail.outbox
    assert "Inscription confirmée" in message.subject
    assert message.attachments[0][0] == "reunion.ics"
    page = other_browser.get(response["Location"]).content.decode()
    assert "Vous êtes inscrit·e" in page
    assert "déjà confirmée" not in page
    assert registration_url(session, "calls:session_ics") in page

    # Again (a second click, a reload): nothing more leaves, and the page says so.
    with django_capture_on_commit_callbacks(execute=True):
        again = third_browser.post(_confirm_url(registration), follow=True)
    assert again.status_code == 200
    assert "déjà confirmée" in again.content.decode()
    assert len(mail.outbox) == 2
    assert registration.confirmed_at == Registration.objects.get().confirmed_at


def test_confirmed_registration_counts_on_the_form_s_page(
    client, django_capture_on_commit_callbacks
):
    session = information_session()
    response = post_registration(client, session, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link(mail.outbox[0]))
    page = client.get(response["Location"]).content.decode()
    assert "Vous êtes inscrit·e" in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_or_expired_link_answers_404_with_a_clear_page(client, method):
    session = information_session()
    old = Registration.objects.create(
        event=session,
        name="A",
        email="ancien@exemple.fr",
        created_at=timezone.now() - services.PENDING_VALIDITY - datetime.timedelta(minutes=1),
    )
    for url in (
        reverse("events:confirm", kwargs={"token": "pas-un-jeton"}),
        _confirm_url(old),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 404
        assert "Lien de confirmation non valable" in response.content.decode()
    old.refresh_from_db()
    assert old.confirmed_at is None


def test_confirming_after_the_event_started_is_refused(client, django_capture_on_commit_callbacks):
    session = information_session(starts_at=timezone.now() - datetime.timedelta(hours=1))
    registration = Registration.objects.create(event=session, name="A", email="a@exemple.fr")
    page = client.get(_confirm_url(registration)).content.decode()
    assert "déjà eu lieu" in page
    assert "Je confirme mon inscription" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_confirm_url(registration))
    assert response.status_code == 400
    assert "ne peut plus être confirmée" in response.content.decode()
    registration.refresh_from_db()
    assert registration.confirmed_at is None
    assert mail.outbox == []


def test_registering_again_while_pending_sends_the_link_again(
    client, django_capture_on_commit_callbacks
):
    session = information_session()
    post_registration(client, session, django_capture_on_commit_callbacks)
    response = post_registration(
        client, session, django_capture_on_commit_callbacks, name="Camille Martin-Durand"
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    # What the second submitter typed does not replace the pending registration.
    assert registration.name == "Camille Martin"
    assert registration.confirmed_at is None
    assert len(mail.outbox) == 2
    assert _link(mail.outbox[0]) == _link(mail.outbox[1]) == _confirm_url(registration)
    assert "Vérifiez votre messagerie" in client.get(response["Location"]).content.decode()


def test_logged_in_person_with_their_verified_address_is_registered_at_once(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="alex@exemple.fr")  # the factory verifies the address
    client.force_login(user)
    session = information_session()
    response = post_registration(
        client, session, django_capture_on_commit_callbacks, email="Alex@Exemple.fr"
    )
    registration = Registration.objects.get()
    assert registration.user == user
    assert registration.confirmed_at is not None
    [message] = mail.outbox
    assert "Inscription confirmée" in message.subject
    assert message.attachments[0][0] == "reunion.ics"
    assert "Vous êtes inscrit·e" in client.get(response["Location"]).content.decode()


def test_logged_in_person_with_another_or_unverified_address_confirms_it(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="alex@exemple.fr")
    user.emailaddress_set.create(email="alex.pro@exemple.fr", verified=False)
    client.force_login(user)
    session = information_session()
    for email in ("collegue@exemple.fr", "alex.pro@exemple.fr"):
        post_registration(client, session, django_capture_on_commit_callbacks, email=email)
    assert not Registration.objects.confirmed().exists()
    assert all(message.attachments == [] for message in mail.outbox)
    assert len(mail.outbox) == 2


def test_pending_registrations_do_not_count(staff_client, django_capture_on_commit_callbacks):
    session = information_session()
    call = session.about
    _confirmed(session, "confirme@exemple.fr")
    application = ApplicationFactory(call=call)
    for email in ("attente@exemple.fr", "membre@exemple.fr"):
        Registration.objects.create(event=session, name="En attente", email=email)
    MembershipFactory(
        user=UserFactory(email="membre@exemple.fr"), organisation=application.organisation
    )
    kwargs = {"pk": call.pk, "session_pk": session.pk}

    page = staff_client.get(reverse("calls:backoffice_registrations", kwargs=kwargs))
    content = page.content.decode()
    assert "1 inscrit" in content and "confirme@exemple.fr" in content
    assert "attente@exemple.fr" not in content
    assert "2 inscriptions en attente de confirmation" in content

    csv = staff_client.get(reverse("calls:backoffice_registrations_csv", kwargs=kwargs))
    csv = b"".join(csv.streaming_content).decode()
    assert "confirme@exemple.fr" in csv and "attente@exemple.fr" not in csv

    assert registrants_who_started(call) == 0


def test_reminders_skip_pending_registrations(django_capture_on_commit_callbacks):
    session = information_session(starts_at=timezone.now() + datetime.timedelta(hours=10))
    earlier = timezone.now() - datetime.timedelta(days=2)
    Registration.objects.create(event=session, name="A", email="a@exemple.fr", created_at=earlier)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 0
    assert mail.outbox == []


def test_unconfirmed_registrations_are_purged_after_a_week_or_once_the_event_began(
    django_capture_on_commit_callbacks, capsys
):
    now = timezone.now()
    future = information_session()
    began = information_session(starts_at=now - datetime.timedelta(minutes=5))
    week = services.PENDING_VALIDITY
    kept = [
        Registration.objects.create(event=future, name="A", email="recent@exemple.fr"),
        Registration.objects.create(
            event=future,
            name="B",
            email="confirme@exemple.fr",
            created_at=now - week * 2,
            confirmed_at=now - week * 2,
        ),
        _confirmed(began, "present@exemple.fr"),
    ]
    Registration.objects.create(
        event=future, name="C", email="vieux@exemple.fr", created_at=now - week
    )
    Registration.objects.create(event=began, name="D", email="tard@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_session_reminders")
    assert "2 inscriptions non confirmées supprimées." in capsys.readouterr().out
    assert set(Registration.objects.all()) == set(kept)


@pytest.mark.django_db(transaction=True)
def test_migration_confirms_existing_registrations_and_gives_each_a_token():
    try:
        old = migrate([("events", "0001_initial")])
        session = information_session()
        Registration = old.get_model("events", "Registration")
        created = datetime.datetime(2029, 12, 1, 8, 0, tzinfo=datetime.UTC)
        for number in range(3):
            Registration.objects.create(
                event_id=session.pk,
                name="A",
                email=f"a{number}@exemple.fr",
                created_at=created + datetime.timedelta(hours=number),
            )
        new = migrate([("events", "0003_registration_token_unique")])
        rows = list(
            new.get_model("events", "Registration").objects.values_list(
                "created_at", "confirmed_at", "token"
            )
        )
        assert len(rows) == 3
        assert all(created_at == confirmed_at for created_at, confirmed_at, _ in rows)
        tokens = {token for *_, token in rows}
        assert len(tokens) == 3 and all(len(token) >= 43 for token in tokens)
    finally:
        migrate(latest_migrations())


def test_a_stranger_cannot_take_over_a_pending_registration(
    client, django_capture_on_commit_callbacks
):
    session = information_session()
    post_registration(client, session, django_capture_on_commit_callbacks)
    first = Registration.objects.get()
    stranger = UserFactory(email="intrus@exemple.fr")
    client.force_login(stranger)
    post_registration(
        client, session, django_capture_on_commit_callbacks, name="Intrus", organisation_name="X"
    )
    registration = Registration.objects.get()
    assert registration.user is None
    assert (registration.name, registration.organisation_name) == (
        first.name,
        first.organisation_name,
    )
    assert registration.created_at == first.created_at
