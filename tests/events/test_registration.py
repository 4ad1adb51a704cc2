import datetime
import re
import zoneinfo
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Call
from qmi.events.models import Registration
from tests.factories import CallFactory, MembershipFactory, UserFactory, information_session
from tests.utils import post_registration, registration_url

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _session(starts_at=None, call=None, **fields):
    return information_session(call=call, starts_at=starts_at, **fields)


def _link(message):
    """The confirmation link of an e-mail asking to confirm an address (its path)."""
    [url] = re.findall(r"https?://\S+/inscriptions/\S+/confirmer/", message.body)
    return urlsplit(url).path


def _confirm(client, capture, message=None):
    """Press the button behind the link of the last e-mail asking to confirm."""
    message = message or mail.outbox[-1]
    with capture(execute=True):
        return client.post(_link(message))


def _lines(text):
    return text.replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime.datetime(2030, 7, 10, 14, 0), "DTSTART:20300710T120000Z"),  # summer time
        (datetime.datetime(2030, 1, 15, 14, 0), "DTSTART:20300115T130000Z"),  # winter time
    ],
)
def test_registration_sends_confirmation_with_calendar(
    client, django_capture_on_commit_callbacks, local, expected
):
    session = _session(
        starts_at=local.replace(tzinfo=PARIS),
        link="https://visio.example/reunion",
        title="Réunion " + "d'information très détaillée, " * 4,
    )
    response = post_registration(
        client, session, django_capture_on_commit_callbacks, email="Camille@Exemple.fr"
    )
    assert response.status_code == 302
    assert response["Location"] == registration_url(session, "calls:session_registered")
    registration = Registration.objects.get()
    assert registration.email == "camille@exemple.fr"
    assert registration.user is None
    assert registration.confirmed_at is None
    [request] = mail.outbox
    assert request.attachments == []

    confirmed = _confirm(client, django_capture_on_commit_callbacks)
    assert confirmed.status_code == 302
    registration.refresh_from_db()
    assert registration.confirmed_at is not None
    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == ["camille@exemple.fr"]
    assert "Inscription confirmée" in message.subject
    assert "https://visio.example/reunion" in message.body
    assert "14:00" in message.body  # Paris time in the text
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("reunion.ics", "text/calendar")
    assert content.startswith("BEGIN:VCALENDAR\r\n")
    assert "\n" not in content.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in content.split("\r\n"))
    assert "\r\n " in content  # the long summary was folded
    lines = _lines(content)
    assert expected in lines
    assert "LOCATION:En ligne" in lines
    assert "URL:https://visio.example/reunion" in lines

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "camille@exemple.fr" in page.content.decode()
    assert registration_url(session, "calls:session_ics") in page.content.decode()


def test_calendar_download(client):
    session = _session()
    response = client.get(registration_url(session, "calls:session_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="reunion.ics"' in response["Content-Disposition"]
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")


def test_confirmation_page_needs_a_registration_from_this_browser(client):
    session = _session()
    response = client.get(registration_url(session, "calls:session_registered"))
    assert response.status_code == 302
    assert response["Location"] == registration_url(session)


def test_logged_in_person_is_prefilled_and_linked(client, django_capture_on_commit_callbacks):
    user = UserFactory(full_name="Alex Dupont", email="alex@exemple.fr")
    MembershipFactory(user=user, organisation__name="Start-up Verte")
    client.force_login(user)
    session = _session()
    page = client.get(registration_url(session)).content.decode()
    assert 'value="alex@exemple.fr"' in page
    assert 'value="Alex Dupont"' in page
    assert 'value="Start-up Verte"' in page
    post_registration(client, session, django_capture_on_commit_callbacks, email="alex@exemple.fr")
    assert Registration.objects.get().user == user


def test_duplicate_is_refused_once_confirmed(client, django_capture_on_commit_callbacks):
    session = _session()
    post_registration(client, session, django_capture_on_commit_callbacks)
    _confirm(client, django_capture_on_commit_callbacks)
    response = post_registration(
        client, session, django_capture_on_commit_callbacks, email="CAMILLE@exemple.fr"
    )
    assert response.status_code == 400
    assert "déjà inscrite à cette réunion" in response.content.decode()
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 2  # the link, then the confirmation


def test_same_person_may_register_to_another_session(client, django_capture_on_commit_callbacks):
    first = _session()
    second = _session(call=first.about)
    post_registration(client, first, django_capture_on_commit_callbacks)
    assert post_registration(client, second, django_capture_on_commit_callbacks).status_code == 302
    assert Registration.objects.count() == 2


def test_past_session_is_refused(client, django_capture_on_commit_callbacks):
    session = _session(starts_at=timezone.now() - datetime.timedelta(hours=1))
    page = client.get(registration_url(session))
    assert page.status_code == 200
    assert "déjà eu lieu" in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    response = post_registration(client, session, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "déjà eu lieu" in response.content.decode()
    assert not Registration.objects.exists()
    assert mail.outbox == []


def test_invalid_form_is_refused(client, django_capture_on_commit_callbacks):
    session = _session()
    response = post_registration(
        client, session, django_capture_on_commit_callbacks, email="pas-une-adresse"
    )
    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_session_of_a_draft_call_or_another_call_is_not_found(client):
    session = _session(call=CallFactory(status=Call.Status.DRAFT))
    assert client.get(registration_url(session)).status_code == 404
    other = _session()
    url = reverse(
        "calls:session_register", kwargs={"slug": CallFactory().slug, "session_pk": other.pk}
    )
    assert client.get(url).status_code == 404


def test_call_page_links_to_registration_for_future_sessions_only(client):
    future = _session(title="Future")
    past = _session(call=future.about, starts_at=timezone.now() - datetime.timedelta(days=1))
    page = client.get(reverse("calls:call", kwargs={"slug": future.about.slug})).content.decode()
    assert registration_url(future) in page
    assert registration_url(past) not in page


def test_the_calendar_file_is_in_french_like_its_email_whatever_the_visitor_reads(
    client, django_capture_on_commit_callbacks
):
    session = _session(link="https://visio.example/reunion")
    client.cookies["django_language"] = "en"
    response = post_registration(client, session, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    _confirm(client, django_capture_on_commit_callbacks)
    [request, message] = mail.outbox
    assert "Confirmez votre inscription" in request.subject
    content = message.attachments[0][1]
    assert "LOCATION:En ligne" in _lines(content)
    assert "Online" not in content


def test_what_a_stranger_typed_is_never_put_into_the_email(
    client, django_capture_on_commit_callbacks
):
    """The address is not confirmed: the e-mail must not carry a message of the typist's."""
    session = _session()
    bait = "Votre compte expire : reconnectez-vous sur https://piege.example"
    response = post_registration(
        client, session, django_capture_on_commit_callbacks, name=bait, organisation_name=bait
    )
    assert response.status_code == 302
    _confirm(client, django_capture_on_commit_callbacks)
    [request, message] = mail.outbox
    for sent in (request, message):
        assert "piege.example" not in sent.body and "piege.example" not in sent.subject
    assert "piege.example" not in message.attachments[0][1]


def test_a_flood_of_registrations_is_stopped_per_client_and_per_address(
    client, django_capture_on_commit_callbacks
):
    sessions = [_session() for _ in range(7)]
    for number, session in enumerate(sessions[:5]):
        response = post_registration(client, session, django_capture_on_commit_callbacks)
        assert response.status_code == 302, number
    # A sixth registration of the same address within the hour waits.
    response = post_registration(client, sessions[5], django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "en peu de temps depuis cette adresse" in response.content.decode()
    assert Registration.objects.count() == 5
    # Another address from the same client still passes, up to the client's own limit.
    for number in range(14):
        session = _session()
        email = f"collegue{number}@exemple.fr"
        response = post_registration(
            client, session, django_capture_on_commit_callbacks, email=email
        )
        assert response.status_code == 302, number
    response = post_registration(
        client, sessions[6], django_capture_on_commit_callbacks, email="une-de-trop@exemple.fr"
    )
    assert response.status_code == 429
    assert Registration.objects.count() == 19
    assert len(mail.outbox) == 19


def test_behind_a_proxy_each_client_has_its_own_registration_limit(
    client, settings, django_capture_on_commit_callbacks
):
    """Behind nginx every request comes from the proxy: the client is read from X-Forwarded-For."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for number in range(20):
        response = _post_from(client, "203.0.113.7", django_capture_on_commit_callbacks, number)
        assert response.status_code == 302, number
    assert (
        _post_from(client, "203.0.113.7", django_capture_on_commit_callbacks, 20).status_code == 429
    )
    # Another visitor behind the same proxy is not held back by the first one.
    assert (
        _post_from(client, "198.51.100.9", django_capture_on_commit_callbacks, 21).status_code
        == 302
    )


def _post_from(client, address, capture, number):
    session = _session()
    data = {"name": "Camille", "email": f"visiteur{number}@exemple.fr"}
    with capture(execute=True):
        return client.post(
            registration_url(session), data, HTTP_X_FORWARDED_FOR=address, REMOTE_ADDR="10.0.0.1"
        )
