""" "Mon espace" opens on what waits for the person: files, corrections, messages, calls."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.calls.models import Application, Question
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    CommuneFactory,
    CorrectionRequestFactory,
    EditionCommuneFactory,
    MessageFactory,
    OrganisationFactory,
    ThreadFactory,
    add_question,
    commune_member,
    information_session,
)
from tests.utils import assert_constant_queries, member_of

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


def call_for(kinds, title, **fields):
    call = CallFactory(eligible_kinds=kinds, title=title, **fields)
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet", required=True)
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre du maire", required=True)
    return call


def test_a_commune_agent_sees_its_files_what_they_lack_its_messages_and_its_workspace(client):
    commune = CommuneFactory(name="Sceaux")
    agent = commune_member(commune)
    organisation = Organisation.objects.get(commune=commune)
    ami = call_for(["commune"], "AMI des communes")
    draft = ApplicationFactory(call=ami, organisation=organisation)
    CorrectionRequestFactory(
        application__organisation=organisation, message="Il manque la délibération."
    )
    thread = ThreadFactory(application=draft, title="Question sur la lettre")
    MessageFactory(thread=thread, author=None, body="Réponse de l'équipe")
    thread.last_message_at = timezone.now()
    thread.save()
    session = information_session(ami, title="Webinaire des communes")
    workspace = EditionCommuneFactory(commune=commune, district="Les Blagis")
    ChallengeFactory(edition_commune=workspace, title="Rafraîchir les Blagis")
    call_for(["experimenter"], "Appel aux startups")  # not for communes

    client.force_login(agent)
    html = client.get(HOME).content.decode()

    assert "2 dossiers en cours" in html
    assert reverse("calls:application", args=[draft.pk]) in html
    assert "2 éléments à compléter" in html and "Lettre du maire" in html
    assert "Il manque la délibération." in html
    assert "1 échange avec un message non lu" in html and "Question sur la lettre" in html
    assert "Webinaire des communes" in html
    assert reverse("calls:session_register", args=[ami.slug, session.pk]) in html
    assert "AMI des communes" in html and "Appel aux startups" not in html
    assert "Voir le dossier de votre organisation" in html  # the open AMI, already started
    assert "Rafraîchir les Blagis" in html
    assert reverse("programmes:workspace", args=[workspace.pk]) in html


def test_an_experimenter_sees_the_calls_its_organisation_may_answer(client):
    startup = OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER)
    client.force_login(member_of(startup))
    call = call_for(["experimenter"], "Appel à expérimenter")
    call_for(["commune"], "AMI des communes")
    call_for(
        ["experimenter"],
        "Appel clos",
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    html = client.get(HOME).content.decode()
    assert "Appel à expérimenter" in html
    assert reverse("calls:apply", args=[call.slug]) in html
    assert "AMI des communes" not in html and "Appel clos" not in html
    assert "Rien ne vous attend pour l'instant." in html


def test_a_file_whose_call_is_closed_or_submitted_is_not_a_to_do(client):
    startup = OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER)
    client.force_login(member_of(startup))
    ApplicationFactory(
        organisation=startup, status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    ApplicationFactory(organisation=startup, call=CallFactory(status="closed"))
    html = client.get(HOME).content.decode()
    assert "dossier en cours" not in html


def test_the_home_stays_in_constant_queries_as_work_piles_up(client):
    commune = CommuneFactory()
    agent = commune_member(commune)
    organisation = Organisation.objects.get(commune=commune)
    EditionCommuneFactory(commune=commune)

    def work():
        call = call_for(["commune"], "AMI")
        application = ApplicationFactory(call=call, organisation=organisation)
        CorrectionRequestFactory(application__organisation=organisation)
        ThreadFactory(application=application)
        information_session(call)

    work()
    client.force_login(agent)
    html = assert_constant_queries(
        client, HOME, grow=lambda: [work() for _ in range(6)]
    ).content.decode()
    assert "14 dossiers en cours" in html and "Voici les 10 plus proches" in html


def test_a_partner_s_expert_is_told_what_will_come_here(client):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    client.force_login(member_of(partner))
    html = client.get(HOME).content.decode()
    assert "dossiers à évaluer" in html and partner.name in html
