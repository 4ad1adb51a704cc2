import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.events.models import Registration
from tests.factories import (
    CallFactory,
    MembershipFactory,
    UserFactory,
    information_session,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


def _session(call=None):
    return information_session(call=call)


def _register(session, count, start=0):
    for number in range(start, start + count):
        Registration.objects.create(
            event=session,
            name=f"Personne {number}",
            organisation_name="Association",
            email=f"personne{number}@exemple.fr",
            confirmed_at=timezone.now(),
        )


def _urls(session):
    kwargs = {"pk": session.about.pk, "session_pk": session.pk}
    return (
        reverse("calls:backoffice_registrations", kwargs=kwargs),
        reverse("calls:backoffice_registrations_csv", kwargs=kwargs),
    )


def test_staff_see_the_registrants_and_their_count(staff_client):
    session = _session()
    _register(session, 3)
    page, _ = _urls(session)
    response = staff_client.get(page)
    assert response.status_code == 200
    content = response.content.decode()
    assert "3 inscrits" in content
    assert "personne2@exemple.fr" in content


def test_list_is_paginated(staff_client):
    session = _session()
    _register(session, 55)
    page, _ = _urls(session)
    assert len(staff_client.get(page).context["page"].object_list) == 50
    assert len(staff_client.get(page + "?page=2").context["page"].object_list) == 5


@pytest.mark.parametrize("logged_in", [True, False])
def test_others_cannot_see_registrants(client, logged_in):
    session = _session()
    _register(session, 1)
    if logged_in:
        member = UserFactory()
        MembershipFactory(user=member)
        client.force_login(member)
    for url in _urls(session):
        response = client.get(url)
        if logged_in:
            assert response.status_code == 404
        else:
            assert response.status_code == 302
            assert "/connexion/" in response["Location"] or "login" in response["Location"]


def test_session_of_another_call_is_not_found(staff_client):
    session = _session()
    url = reverse(
        "calls:backoffice_registrations",
        kwargs={"pk": CallFactory().pk, "session_pk": session.pk},
    )
    assert staff_client.get(url).status_code == 404


def test_csv_export_is_neutralised(staff_client):
    session = _session()
    Registration.objects.create(
        event=session,
        name='=HYPERLINK("http://mal.example","clic")',
        organisation_name="+33 1 23",
        email="a@exemple.fr",
        confirmed_at=timezone.now(),
    )
    Registration.objects.create(
        event=session,
        name="@SUM(A1)",
        organisation_name="-2+3",
        email="b@exemple.fr",
        confirmed_at=timezone.now(),
    )
    _, csv_url = _urls(session)
    response = staff_client.get(csv_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeffNom;Organisation;Adresse e-mail;Inscrit le;Compte\r\n")
    assert "'=HYPERLINK" in content
    assert ";'+33 1 23;" in content
    assert "'@SUM(A1);'-2+3;" in content
    for line in content.lstrip("\ufeff").splitlines()[1:]:
        assert line[0] not in "=+-@"


def test_list_queries_do_not_grow_with_registrants(staff_client):
    session = _session()
    _register(session, 2)
    page, _ = _urls(session)
    assert_constant_queries(staff_client, page, grow=lambda: _register(session, 18, start=2))
