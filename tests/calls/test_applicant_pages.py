"""Applicant pages: the public call page, applying, who sees what, downloads, lists."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.calls.models import Application, Call, FaqEntry, Question
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    DocumentFactory,
    EditionCommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    add_question,
    information_session,
)
from tests.utils import assert_constant_queries, count_queries, logged_in, member_of, pdf_bytes

pytestmark = pytest.mark.django_db
Status = Application.Status


def call_with_form(**fields):
    """A published call whose form has a text question and a required PDF."""
    call = CallFactory(**fields)
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet")
    add_question(
        call,
        "lettre",
        Question.Kind.DOCUMENT,
        label="Lettre d'engagement du maire",
        help_text="Signée par le maire.",
        config={"accepted": ["pdf"], "max_size_mb": 5},
    )
    return call


# Public call page ---------------------------------------------------------------


def test_call_page_shows_what_an_applicant_needs(client):
    call = call_with_form(
        title="Appel à expérimenter QMI 2",
        presentation="<p>Des <strong>solutions</strong> pour la ville.</p>",
        eligible_kinds=["experimenter"],
        criteria="Pertinence de la solution",
        contact_name="Équipe QMI",
        contact_email="qmi@parisandco.example",
        closes_at=datetime.datetime(2099, 6, 16, 21, 59, tzinfo=datetime.UTC),
    )
    information_session(
        call=call,
        title="Webinaire de présentation",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        ends_at=timezone.now() + datetime.timedelta(days=3, hours=1),
    )
    FaqEntry.objects.create(call=call, question="Qui peut candidater ?", answer="Les startups.")
    FaqEntry.objects.create(call=call, question="Question cachée", answer="x", is_published=False)
    response = client.get(f"/appels/{call.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Appel à expérimenter QMI 2" in page
    assert "<strong>solutions</strong>" in page  # sanitised HTML rendered as HTML
    assert "Expérimentateur" in page
    assert "16 juin 2099 à 23:59" in page  # Europe/Paris (summer time)
    assert "Webinaire de présentation" in page
    assert "Lettre d&#x27;engagement du maire" in page and "Signée par le maire." in page
    assert "5 Mo au plus" in page and "PDF" in page
    assert "Pertinence de la solution" in page
    assert "Qui peut candidater ?" in page and "Question cachée" not in page
    assert "qmi@parisandco.example" in page
    assert f'href="/appels/{call.slug}/candidater/"' in page
    assert "Je candidate" in page


def test_call_page_of_a_closed_call_says_so_without_apply_button(client):
    call = CallFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    page = client.get(f"/appels/{call.slug}/").content.decode()
    assert "appel est clos depuis le" in page
    assert "Je candidate" not in page


def test_call_page_not_yet_open_says_when(client):
    call = CallFactory(
        opens_at=timezone.now() + datetime.timedelta(days=2),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    page = client.get(f"/appels/{call.slug}/").content.decode()
    assert "pas encore ouvert" in page
    assert "Je candidate" not in page


def test_call_page_of_a_draft_call_is_404_for_public_and_visible_to_staff(client, staff):
    call = CallFactory(status=Call.Status.DRAFT)
    assert client.get(f"/appels/{call.slug}/").status_code == 404
    logged_in(client, member_of(OrganisationFactory()))
    assert client.get(f"/appels/{call.slug}/").status_code == 404
    assert client.get(f"/appels/{call.slug}/candidater/").status_code == 404
    logged_in(client, staff)
    assert client.get(f"/appels/{call.slug}/").status_code == 200


def test_template_file_downloads_as_attachment(client):
    call = CallFactory()
    question = add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre")
    question.template_file.save("modele-lettre.docx", ContentFile(b"modele"), save=True)
    response = client.get(f"/appels/{call.slug}/modeles/{question.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"modele"
    other = add_question(call, "autre", Question.Kind.DOCUMENT, label="Sans modèle")
    assert client.get(f"/appels/{call.slug}/modeles/{other.pk}/").status_code == 404


# Applying -------------------------------------------------------------------------


def test_apply_requires_login_and_comes_back(client):
    call = CallFactory()
    response = client.get(f"/appels/{call.slug}/candidater/")
    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]
    assert f"next=/appels/{call.slug}/candidater/" in response["Location"]


def test_apply_creates_one_draft_and_a_second_visit_returns_it(client):
    call = call_with_form()
    organisation = OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER)
    logged_in(client, member_of(organisation))
    page = client.get(f"/appels/{call.slug}/candidater/").content.decode()
    assert organisation.name in page
    assert "/organisations/nouvelle/?next=" in page
    first = client.post(f"/appels/{call.slug}/candidater/", {"organisation": organisation.pk})
    application = Application.objects.get(call=call, organisation=organisation)
    assert first["Location"] == f"/candidatures/{application.pk}/sections/1/"
    second = client.post(f"/appels/{call.slug}/candidater/", {"organisation": organisation.pk})
    assert second["Location"] == f"/candidatures/{application.pk}/sections/1/"
    assert Application.objects.filter(call=call).count() == 1
    assert application.status == Status.DRAFT


def test_apply_with_an_ineligible_kind_is_refused_with_a_message(client):
    call = CallFactory(eligible_kinds=["commune"])
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, legal_form="")
    logged_in(client, member_of(partner))
    response = client.post(f"/appels/{call.slug}/candidater/", {"organisation": partner.pk})
    assert response.status_code == 400
    assert (
        "n&#x27;est pas ouvert aux organisations de type « Partenaire »"
        in response.content.decode()
    )
    assert not Application.objects.exists()
    page = client.get(f"/appels/{call.slug}/candidater/").content.decode()
    assert "Il s'adresse aux organisations de type : Commune." in page
    assert "Commencer le dossier" not in page


def test_apply_to_a_closed_call_is_refused_with_a_message(client):
    call = CallFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    organisation = OrganisationFactory()
    logged_in(client, member_of(organisation))
    response = client.post(f"/appels/{call.slug}/candidater/", {"organisation": organisation.pk})
    assert response.status_code == 400
    assert "n&#x27;accepte pas de candidature en ce moment" in response.content.decode()
    assert not Application.objects.exists()


def test_apply_for_an_organisation_one_does_not_belong_to_is_refused(client):
    call = CallFactory()
    stranger = OrganisationFactory()
    logged_in(client, member_of(OrganisationFactory()))
    response = client.post(f"/appels/{call.slug}/candidater/", {"organisation": stranger.pk})
    assert response.status_code == 400
    assert not Application.objects.exists()


# Who sees what --------------------------------------------------------------------


def test_another_organisation_gets_404_everywhere_on_an_application(client):
    call = call_with_form()
    application = ApplicationFactory(
        call=call, status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    document = DocumentFactory(application=application, content=pdf_bytes(), sha256="a" * 64)
    application.submissions.create(number=1, revision=application.revision, answers={})
    logged_in(client, member_of(OrganisationFactory()))
    base = f"/candidatures/{application.pk}"
    for url in [
        f"{base}/",
        f"{base}/sections/1/",
        f"{base}/recapitulatif/",
        f"{base}/confirmation/",
        f"{base}/documents/{document.pk}/",
        f"{base}/depots/1/accuse-de-reception.pdf",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"{base}/enregistrer/",
        f"{base}/deposer/",
        f"{base}/retirer/",
        f"{base}/documents/lettre/",
    ]:
        assert client.post(url, {}).status_code == 404, url
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_document_of_another_application_under_ones_own_pk_is_404(client):
    call = call_with_form()
    mine = ApplicationFactory(call=call)
    theirs = ApplicationFactory(call=call)
    their_document = DocumentFactory(application=theirs, content=pdf_bytes(), sha256="a" * 64)
    logged_in(client, member_of(mine.organisation))
    response = client.get(f"/candidatures/{mine.pk}/documents/{their_document.pk}/")
    assert response.status_code == 404


def test_document_download_is_an_attachment_with_nosniff(client):
    application = ApplicationFactory(call=call_with_form())
    document = DocumentFactory(
        application=application, name="lettre_du_maire.pdf", content=pdf_bytes(), sha256="a" * 64
    )
    logged_in(client, member_of(application.organisation))
    response = client.get(f"/candidatures/{application.pk}/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "lettre_du_maire.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_staff_read_the_application_but_cannot_edit_it(staff_client):
    application = ApplicationFactory(call=call_with_form(), answers={"projet": "Bancs frais"})
    page = staff_client.get(f"/candidatures/{application.pk}/").content.decode()
    assert application.reference in page
    assert "Retirer le dossier" not in page
    section = staff_client.get(f"/candidatures/{application.pk}/sections/1/").content.decode()
    assert "lecture seule" in section and "Bancs frais" in section
    assert 'data-autosave="on"' not in section
    response = staff_client.post(
        f"/candidatures/{application.pk}/enregistrer/",
        {"section": 1, "base_version": 0, "original": "{}", "a_projet": "Autre"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.answers == {"projet": "Bancs frais"}


def test_application_page_shows_status_next_step_correction_and_submissions(client):
    application = ApplicationFactory(
        call=call_with_form(), status=Status.CORRECTION_REQUESTED, submitted_at=timezone.now()
    )
    application.submissions.create(number=1, revision=application.revision, answers={})
    application.correction_requests.create(
        message="Il manque la lettre signée.",
        due_at=datetime.datetime(2099, 1, 10, 11, 0, tzinfo=datetime.UTC),
    )
    logged_in(client, member_of(application.organisation))
    page = client.get(f"/candidatures/{application.pk}/").content.decode()
    assert "Correction demandée" in page
    assert "Il manque la lettre signée." in page
    assert "10 janvier 2099 à 12:00" in page  # Paris, winter time
    assert f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf" in page
    assert f"/candidatures/{application.pk}/recapitulatif/" in page


def test_withdraw_a_draft(client):
    application = ApplicationFactory(call=call_with_form())
    logged_in(client, member_of(application.organisation))
    page = client.get(f"/candidatures/{application.pk}/").content.decode()
    assert "data-confirm=" in page
    response = client.post(f"/candidatures/{application.pk}/retirer/", {"note": "Projet abandonné"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_a_refused_withdrawal_reason_keeps_the_file_and_what_was_typed(client):
    application = ApplicationFactory(call=call_with_form())
    logged_in(client, member_of(application.organisation))
    typed = "Projet abandonné " * 70  # over the 1,000 characters a reason may have
    response = client.post(f"/candidatures/{application.pk}/retirer/", {"note": typed})
    assert response.status_code == 400
    assert "1000 caractères" in response.content.decode().replace("\u202f", "").replace(" ", " ")
    assert typed.strip() in response.content.decode()
    response = client.post(f"/candidatures/{application.pk}/retirer/", {"note": "a\x00b"})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Status.DRAFT


# The section page -------------------------------------------------------------------


def test_section_renders_each_kind_with_labels_and_attributes(client):
    call = CallFactory()
    sceaux = ChallengeFactory(
        edition_commune=EditionCommuneFactory(edition=call.edition, commune__name="Sceaux"),
        title="Rafraîchir les Blagis",
    ).edition_commune
    EditionCommuneFactory(edition=call.edition, commune__name="Meudon")
    add_question(call, "resume", Question.Kind.LONG_TEXT, label="Résumé", config={"max_chars": 800})
    add_question(
        call, "stade", Question.Kind.SINGLE_CHOICE, config={"choices": ["Idée", "Prototype"]}
    )
    add_question(
        call, "themes", Question.Kind.MULTIPLE_CHOICE, config={"choices": ["Climat", "Sport"]}
    )
    add_question(call, "budget", Question.Kind.NUMBER, config={"unit": "€"})
    add_question(call, "debut", Question.Kind.DATE)
    add_question(call, "courriel", Question.Kind.EMAIL)
    add_question(call, "site", Question.Kind.URL)
    add_question(call, "tel", Question.Kind.PHONE)
    add_question(call, "adresse", Question.Kind.ADDRESS)
    add_question(call, "deja", Question.Kind.YES_NO, label="Déjà testé ?")
    add_question(
        call,
        "ou",
        Question.Kind.SHORT_TEXT,
        label="Où ?",
        condition_key="deja",
        condition_value="yes",
    )
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING, config={"max_ranked": 2})
    add_question(call, "annexe", Question.Kind.DOCUMENT, config={"accepted": ["pdf", "image"]})
    application = ApplicationFactory(call=call, answers={"communes": [str(sceaux.pk)]})
    logged_in(client, member_of(application.organisation))
    response = client.get(f"/candidatures/{application.pk}/sections/1/")
    assert response.status_code == 200
    page = response.content.decode()
    # One section and the summary: two steps shown, two counted.
    assert "Étape 1 sur 2" in page and page.count("<li") >= 2
    assert 'aria-current="step"' in page
    assert 'data-max-chars="800"' in page and 'for="q-resume"' in page
    assert 'type="radio" name="a_stade"' in page
    assert 'type="checkbox" name="a_themes"' in page
    assert 'inputmode="decimal"' in page and "€" in page
    assert 'type="date" name="a_debut"' in page
    assert 'type="email" name="a_courriel"' in page
    assert 'type="url" name="a_site"' in page
    assert 'type="tel" name="a_tel"' in page
    assert '<textarea name="a_adresse"' in page
    assert 'value="yes"' in page and 'value="no"' in page
    # The conditional question waits for "yes".
    assert 'data-condition-key="deja" data-condition-value="yes" hidden' in page
    # Ranking: two ordered selects among the edition's communes, with challenge titles.
    assert "1er choix" in page and "2e choix" in page and "3e choix" not in page
    assert "Sceaux — Rafraîchir les Blagis" in page
    assert f'<option value="{sceaux.pk}" selected>' in page
    # Documents: accept attribute and upload form.
    assert 'accept=".pdf,application/pdf,.jpg,image/jpeg,.png,image/png"' in page
    assert f'action="/candidatures/{application.pk}/documents/annexe/"' in page
    assert "autosave.js" in page


def test_section_out_of_range_is_404(client):
    application = ApplicationFactory(call=call_with_form())
    logged_in(client, member_of(application.organisation))
    assert client.get(f"/candidatures/{application.pk}/sections/2/").status_code == 404
    assert client.get(f"/candidatures/{application.pk}/sections/0/").status_code == 404


# Mes candidatures -------------------------------------------------------------------


def test_my_applications_lists_every_state_with_next_step(client):
    organisation = OrganisationFactory()
    logged_in(client, member_of(organisation))
    draft = ApplicationFactory(organisation=organisation)
    corrected = ApplicationFactory(
        organisation=organisation, status=Status.CORRECTION_REQUESTED, submitted_at=timezone.now()
    )
    corrected.correction_requests.create(
        message="x", due_at=timezone.now() + datetime.timedelta(days=5)
    )
    ApplicationFactory()  # someone else's
    response = count_queries(client, "/candidatures/").response
    page = response.content.decode()
    assert draft.reference in page and corrected.reference in page
    assert "Brouillon" in page and "Correction demandée" in page
    assert "Corriger le dossier" in page
    assert len(response.context["rows"]) == 2


def test_my_applications_query_count_is_the_same_for_2_and_20(client):
    organisation = OrganisationFactory()
    other = OrganisationFactory()
    user = member_of(organisation)
    MembershipFactory(user=user, organisation=other)
    logged_in(client, user)
    for index in range(2):
        application = ApplicationFactory(
            organisation=organisation if index % 2 else other,
            status=Status.CORRECTION_REQUESTED,
            submitted_at=timezone.now(),
        )
        application.correction_requests.create(
            message="x", due_at=timezone.now() + datetime.timedelta(days=1)
        )

    def grow():
        for index in range(18):
            ApplicationFactory(organisation=organisation if index % 2 else other)

    large = assert_constant_queries(client, "/candidatures/", grow=grow)
    assert len(large.response.context["rows"]) == 20


def test_my_applications_is_paginated_by_20(client):
    organisation = OrganisationFactory()
    logged_in(client, member_of(organisation))
    for _ in range(21):
        ApplicationFactory(organisation=organisation)
    response = client.get("/candidatures/")
    assert len(response.context["rows"]) == 20
    assert "Page 1 sur 2" in response.content.decode()
    assert len(client.get("/candidatures/?page=2").context["rows"]) == 1


def test_an_empty_mes_candidatures_lists_the_calls_one_may_answer(client):
    startup = OrganisationFactory(kind="experimenter")
    logged_in(client, member_of(startup))
    CallFactory(title="Appel aux startups", eligible_kinds=["experimenter"])
    CallFactory(title="AMI des communes", eligible_kinds=["commune"])
    html = client.get("/candidatures/").content.decode()
    assert "Appel aux startups" in html and "AMI des communes" not in html
