"""Working pages kept per session: hits, what renders them anew, and who never shares them."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Application
from qmi.calls.services import examination
from qmi.calls.services import labels as label_services
from qmi.core.kept_pages import HEADER
from tests.factories import ApplicationFactory, MembershipFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keeping(settings):
    settings.QMI_KEPT_PAGES = True


@pytest.fixture
def submitted():
    return ApplicationFactory(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now(), reference="KEPT-1"
    )


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def detail(application):
    return reverse("calls:backoffice_application", args=[application.pk])


def test_a_working_page_is_kept_for_the_session(submitted):
    operator = logged_in(staff_user())
    first, second = operator.get(detail(submitted)), operator.get(detail(submitted))
    assert first.status_code == second.status_code == 200
    assert (first[HEADER], second[HEADER]) == ("miss", "hit")
    assert "KEPT-1" in second.content.decode()
    # Never stored by a browser or a proxy either: it is a person's page.
    assert "no-store" in second["Cache-Control"]


def test_a_change_through_a_service_renders_the_page_anew(submitted):
    staff = staff_user()
    operator = logged_in(staff)
    assert "application-status-submitted" in operator.get(detail(submitted)).content.decode()
    examination.mark_complete(application=submitted, by=staff)
    page = operator.get(detail(submitted))
    assert page[HEADER] == "miss"
    assert "application-status application-status-complete" in page.content.decode()
    label = label_services.create_label(
        call=submitted.call, by=staff, name="Finaliste", colour="red"
    )
    operator.get(detail(submitted))
    label_services.add_label(application=submitted, label=label, by=staff)
    assert "Finaliste" in operator.get(detail(submitted)).content.decode()


def test_a_page_that_shows_a_message_is_not_kept_and_the_message_shows(submitted):
    staff = staff_user()
    operator = logged_in(staff)
    operator.get(detail(submitted))  # kept
    decided = operator.post(
        reverse("calls:backoffice_decide", args=[submitted.pk]), {"decision": "complete"}
    )
    assert decided.status_code == 302
    page = operator.get(detail(submitted))
    assert "Le dossier est déclaré complet." in page.content.decode()
    assert HEADER not in page
    again = operator.get(detail(submitted))
    assert "Le dossier est déclaré complet." not in again.content.decode()


def test_no_session_gets_a_page_kept_for_another(submitted):
    first_staff, second_staff = staff_user(full_name="Alice Opé"), staff_user(full_name="Bruno Opé")
    pages = {}
    for person in (first_staff, second_staff):
        client = logged_in(person)
        client.get(detail(submitted))
        page = client.get(detail(submitted))
        assert page[HEADER] == "hit"
        secret = client.cookies[settings.CSRF_COOKIE_NAME].value
        html = page.content.decode()
        for token in re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html):
            assert _unmask_cipher_token(token) == secret
        pages[person.pk] = secret
    assert pages[first_staff.pk] != pages[second_staff.pk]
    # The same person in a second session starts with a page of their own.
    other_session = logged_in(first_staff)
    assert other_session.get(detail(submitted))[HEADER] == "miss"


def test_an_applicant_s_list_follows_their_applications():
    application = ApplicationFactory(reference="MINE-1")
    member = MembershipFactory(organisation=application.organisation).user
    client = logged_in(member)
    url = reverse("calls:my_applications")
    assert "MINE-1" in client.get(url).content.decode()
    assert client.get(url)[HEADER] == "hit"
    ApplicationFactory(organisation=application.organisation, reference="MINE-2")
    page = client.get(url)
    assert page[HEADER] == "miss" and "MINE-2" in page.content.decode()


def test_keeping_can_be_turned_off(settings, submitted):
    settings.QMI_KEPT_PAGES = False
    operator = logged_in(staff_user())
    operator.get(detail(submitted))
    assert HEADER not in operator.get(detail(submitted))
