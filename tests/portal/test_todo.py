"""The back office opens on what waits for the programme's team."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Application, Call
from qmi.messaging.models import Thread
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CorrectionRequestFactory,
    InvitationFactory,
    ThreadFactory,
    metropolis_user,
    staff_user,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db

NOW = timezone.now()
BACKOFFICE = reverse("portal:backoffice")


def card(html, heading_id):
    """The text of one to-do card, tags stripped."""
    block = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))


def waiting_work():
    submitted = ApplicationFactory(
        status=Application.Status.SUBMITTED, submitted_at=NOW - datetime.timedelta(days=3)
    )
    ApplicationFactory(status=Application.Status.DRAFT)  # not submitted: not to examine
    late = CorrectionRequestFactory(due_at=NOW - datetime.timedelta(days=1))
    CorrectionRequestFactory(due_at=NOW + datetime.timedelta(days=5))  # not late yet
    thread = ThreadFactory(awaiting=Thread.Awaiting.OPERATOR, title="Question sur le budget")
    ThreadFactory(awaiting=Thread.Awaiting.APPLICANT)
    closing = CallFactory(
        title="Appel qui se clôt bientôt",
        status=Call.Status.PUBLISHED,
        closes_at=NOW + datetime.timedelta(days=10),
    )
    CallFactory(
        title="Appel lointain",
        status=Call.Status.PUBLISHED,
        closes_at=NOW + datetime.timedelta(days=30),
    )
    invitation = InvitationFactory(email="maire@exemple.fr")
    InvitationFactory(email="expiree@exemple.fr", expires_at=NOW - datetime.timedelta(days=1))
    return submitted, late, thread, closing, invitation


@pytest.mark.parametrize("role", [staff_user, metropolis_user], ids=["operator", "metropolis"])
def test_the_back_office_opens_on_what_waits_for_the_team(client, role):
    submitted, late, thread, closing, _invitation = waiting_work()
    client.force_login(role())
    html = client.get(BACKOFFICE).content.decode()

    examine = card(html, "todo-examine")
    assert "1 dossier déposé à examiner" in examine and submitted.reference in examine
    corrections = card(html, "todo-corrections")
    assert "1 correction en retard" in corrections
    assert late.application.reference in corrections
    threads = card(html, "todo-threads")
    assert "1 échange attend notre réponse" in threads and "Question sur le budget" in threads
    calls = card(html, "todo-calls")
    assert "Appel qui se clôt bientôt" in calls and "Appel lointain" not in calls
    invitations = card(html, "todo-invitations")
    assert "maire@exemple.fr" in invitations and "expiree@" not in invitations
    assert reverse("calls:backoffice_application", args=[submitted.pk]) in html
    assert reverse("messaging:thread", args=[thread.pk]) in html
    assert reverse("calls:backoffice_call", args=[closing.pk]) in html


def test_an_empty_to_do_says_so(client):
    client.force_login(staff_user())
    html = client.get(BACKOFFICE).content.decode()
    assert "Aucun dossier n'attend d'examen." in html
    assert "Aucune invitation en attente." in html


def test_the_to_do_counts_past_what_it_shows_in_constant_queries(client):
    client.force_login(staff_user())
    waiting_work()

    def grow():
        for _ in range(7):
            waiting_work()

    html = assert_constant_queries(client, BACKOFFICE, grow=grow).content.decode()
    assert "8 dossiers déposés à examiner" in card(html, "todo-examine")
    assert "8 échanges attendent notre réponse" in card(html, "todo-threads")
    assert "Voir tous les échanges en attente" in html


def test_the_kept_to_do_follows_every_change_of_what_it_counts(client):
    """Kept between two views of the dashboard, it is computed again after each change."""
    client.force_login(staff_user())
    html = client.get(BACKOFFICE).content.decode()
    assert "Aucun dossier n'attend d'examen." in html
    submitted, late, thread, closing, invitation = waiting_work()
    html = client.get(BACKOFFICE).content.decode()
    assert "1 dossier déposé à examiner" in card(html, "todo-examine")
    assert "1 correction en retard" in card(html, "todo-corrections")
    assert "1 échange attend notre réponse" in card(html, "todo-threads")
    assert "Appel qui se clôt bientôt" in card(html, "todo-calls")
    assert "maire@exemple.fr" in card(html, "todo-invitations")

    submitted.status = Application.Status.COMPLETE
    submitted.save()
    thread.awaiting = Thread.Awaiting.NONE
    thread.save()
    late.resolved_at = NOW
    late.save()
    closing.closes_at = NOW + datetime.timedelta(days=40)
    closing.save()
    invitation.revoked_at = NOW
    invitation.save()
    html = client.get(BACKOFFICE).content.decode()
    assert "Aucun dossier n'attend d'examen." in html
    assert "Aucune correction en retard." in card(html, "todo-corrections")
    assert "Aucun échange n'attend de réponse." in card(html, "todo-threads")
    assert "Appel qui se clôt bientôt" not in card(html, "todo-calls")
    assert "Aucune invitation en attente." in html
