"""Registrants of a call's information sessions who then started a file (funnel)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.calls.funnel import registrants_who_started
from qmi.calls.models import Application
from qmi.events.models import Registration
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    UserFactory,
    information_session,
)

pytestmark = pytest.mark.django_db


def _session(call=None):
    return information_session(call=call)


def _registration(**fields):
    return Registration.objects.create(confirmed_at=timezone.now(), **fields)


def _urls(session):
    kwargs = {"pk": session.about.pk, "session_pk": session.pk}
    return (reverse("calls:backoffice_registrations", kwargs=kwargs),)


def test_registrants_who_started(django_assert_num_queries):
    call = CallFactory()
    first, second = _session(call), _session(call)
    application = ApplicationFactory(call=call)
    # Registered while logged in, with another address than the account's.
    logged = UserFactory(email="logged@exemple.fr")
    MembershipFactory(user=logged, organisation=application.organisation)
    _registration(event=first, name="A", email="perso@exemple.fr", user=logged)
    # Registered without logging in, with the account's address, at both sessions.
    member = UserFactory(email="membre@exemple.fr")
    MembershipFactory(user=member, organisation=application.organisation)
    for session in (first, second):
        _registration(event=session, name="B", email="membre@exemple.fr")
    # No account; an account without an organisation; a member of another call's applicant.
    _registration(event=first, name="C", email="inconnu@exemple.fr")
    UserFactory(email="seul@exemple.fr")
    _registration(event=first, name="D", email="seul@exemple.fr")
    elsewhere = UserFactory(email="ailleurs@exemple.fr")
    MembershipFactory(user=elsewhere, organisation=ApplicationFactory().organisation)
    _registration(event=second, name="E", email="ailleurs@exemple.fr")
    # Another call's session does not count.
    other = _session()
    _registration(event=other, name="F", email="membre2@exemple.fr")
    # Nor does a registration whose address was never confirmed (anybody may type one).
    stranger = UserFactory(email="membre3@exemple.fr")
    MembershipFactory(user=stranger, organisation=application.organisation)
    Registration.objects.create(event=first, name="G", email="membre3@exemple.fr")

    with django_assert_num_queries(1):
        assert registrants_who_started(call) == 2
    assert Application.objects.filter(call=call).count() == 1


def test_call_page_shows_registrants_who_started_and_links(staff_client):
    call = CallFactory()
    session = _session(call)
    application = ApplicationFactory(call=call)
    member = UserFactory(email="membre@exemple.fr")
    MembershipFactory(user=member, organisation=application.organisation)
    _registration(event=session, name="B", email="membre@exemple.fr")
    content = staff_client.get(reverse("calls:backoffice_call", kwargs={"pk": call.pk}))
    content = content.content.decode()
    assert "dont l'organisation a commencé un dossier : 1" in content
    assert _urls(session)[0] in content
