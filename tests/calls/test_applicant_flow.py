"""Filling in, autosaving, uploading and submitting an application, as an applicant does."""

import datetime
import importlib
import io
import json
import re
import zoneinfo
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from qmi.calls import receipts
from qmi.calls.models import Application, Document, Question, Submission
from qmi.calls.services import applications as services
from qmi.core.dates import format_date
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    EditionCommuneFactory,
    OrganisationFactory,
    SubmissionFactory,
    add_question,
)
from tests.utils import logged_in, member_of, pdf_bytes, pdf_text

pytestmark = pytest.mark.django_db
Status = Application.Status
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def call():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet")
    add_question(call, "resume", Question.Kind.LONG_TEXT, label="Résumé du projet")
    add_question(
        call,
        "lettre",
        Question.Kind.DOCUMENT,
        label="Lettre d'engagement",
        config={"max_size_mb": 2},
    )
    return call


@pytest.fixture
def application(call):
    return ApplicationFactory(call=call)


@pytest.fixture
def member(application):
    return member_of(application.organisation)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def autosave(client, application, values, *, base_version=0, original=None, htmx=True, **extra):
    data = {
        "section": 1,
        "base_version": base_version,
        "original": json.dumps(original or {}),
        **{f"a_{key}": value for key, value in values.items()},
        **extra,
    }
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/candidatures/{application.pk}/enregistrer/", data, **headers)


def upload(client, application, name, content, key="lettre", htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        f"/candidatures/{application.pk}/documents/{key}/",
        {"file": SimpleUploadedFile(name, content)},
        **headers,
    )


def stored_files():
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def encrypted_pdf():
    writer = PdfWriter()
    writer.add_blank_page(72, 72)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


# Autosave ---------------------------------------------------------------------------


def test_autosave_saves_and_returns_the_new_version(client, application, member):
    logged_in(client, member)
    response = autosave(client, application, {"projet": "Bancs rafraîchissants"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.answers["projet"] == "Bancs rafraîchissants"
    assert application.version == 1
    fragment = response.content.decode()
    assert "Enregistré à" in fragment
    assert 'id="autosave-base-version" value="1" hx-swap-oob="true"' in fragment
    # The page's "original" now knows the saved value: re-posting it changes nothing.
    assert "Bancs rafraîchissants" in fragment


def test_autosave_checks_a_ranking_against_the_communes_of_the_call(client):
    call = CallFactory()
    sceaux = EditionCommuneFactory(edition=call.edition, commune__name="Sceaux")
    elsewhere = EditionCommuneFactory(commune__name="Meudon")  # another edition's
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING, config={"max_ranked": 2})
    application = ApplicationFactory(call=call)
    logged_in(client, member_of(application.organisation))
    fine = autosave(client, application, {"communes": [str(sceaux.pk)]})
    assert fine.status_code == 200
    assert "ne participe pas" not in fine.content.decode()
    wrong = autosave(
        client,
        application,
        {"communes": [str(elsewhere.pk)]},
        base_version=1,
        original={"communes": [str(sceaux.pk)]},
    )
    assert wrong.status_code == 200
    assert "Une commune choisie ne participe pas à cet appel." in wrong.content.decode()


def test_autosave_without_js_redirects_to_the_next_section(client, application, member):
    logged_in(client, member)
    response = autosave(client, application, {"projet": "Ombrières"}, htmx=False, go="next")
    assert response.status_code == 302
    assert response["Location"] == f"/candidatures/{application.pk}/recapitulatif/"
    application.refresh_from_db()
    assert application.answers["projet"] == "Ombrières"


def test_autosave_sends_only_what_changed_since_the_page_was_loaded(client, application, member):
    logged_in(client, member)
    response = autosave(
        client,
        application,
        {"projet": "Inchangé", "resume": "Nouveau"},
        original={"projet": "Inchangé", "resume": ""},
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.answers == {"resume": "Nouveau"}


def test_autosave_conflict_on_the_same_question_returns_409_and_saves_nothing(
    client, application, member
):
    colleague = member_of(application.organisation)
    services.autosave(
        application=application, by=colleague, base_version=0, changes={"projet": "Leur titre"}
    )
    logged_in(client, member)
    response = autosave(
        client, application, {"projet": "Mon titre", "resume": "Mon résumé"}, base_version=0
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Nom du projet" in page
    assert colleague.get_full_name() in page
    assert "Leur titre" in page
    assert "Garder ma version" in page and "Reprendre leur version" in page
    assert 'name="keep_version" value="1"' in page
    application.refresh_from_db()
    assert application.answers == {"projet": "Leur titre"}
    assert application.version == 1
    # "Garder ma version": the same values on the new base are saved.
    kept = autosave(
        client, application, {"projet": "Mon titre", "resume": "Mon résumé"}, base_version=1
    )
    assert kept.status_code == 200
    application.refresh_from_db()
    assert application.answers == {"projet": "Mon titre", "resume": "Mon résumé"}


def test_autosave_conflict_without_js_keeps_the_persons_text(client, application, member):
    colleague = member_of(application.organisation)
    services.autosave(
        application=application, by=colleague, base_version=0, changes={"projet": "Leur titre"}
    )
    logged_in(client, member)
    response = autosave(client, application, {"projet": "Mon titre"}, htmx=False)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'value="Mon titre"' in page  # the person's text stays in the form
    assert "Leur titre" in page
    kept = autosave(client, application, {"projet": "Mon titre"}, htmx=False, keep_version=1)
    assert kept.status_code == 302
    application.refresh_from_db()
    assert application.answers["projet"] == "Mon titre"


def test_two_people_editing_different_questions_from_the_same_base_both_save(
    client, application, member
):
    colleague = member_of(application.organisation)
    page_original = {"projet": "", "resume": ""}
    logged_in(client, colleague)
    first = autosave(
        client,
        application,
        {"projet": "Titre de Camille", "resume": ""},
        original=page_original,
    )
    assert first.status_code == 200
    logged_in(client, member)
    # Same base (0); this page still shows the old, empty title.
    second = autosave(
        client,
        application,
        {"projet": "", "resume": "Résumé de Dominique"},
        original=page_original,
    )
    assert second.status_code == 200
    application.refresh_from_db()
    assert application.answers == {"projet": "Titre de Camille", "resume": "Résumé de Dominique"}
    # The second person is told a colleague changed another answer meanwhile.
    assert f"Entre-temps, {colleague.get_full_name()} a modifié « Nom du projet »" in (
        second.content.decode()
    )


def test_autosave_by_a_non_member_is_404(client, application):
    logged_in(client, member_of(OrganisationFactory()))
    response = autosave(client, application, {"projet": "Intrusion"})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.answers == {}


def test_autosave_when_logged_out_redirects_to_login(client, application):
    response = autosave(client, application, {"projet": "Perdu ?"})
    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]
    application.refresh_from_db()
    assert application.answers == {}


def test_autosave_after_submission_is_refused(client, application, member):
    application.status = Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    logged_in(client, member)
    response = autosave(client, application, {"projet": "Trop tard"})
    assert response.status_code == 403
    assert response["X-QMI-Refused"] == "1"
    assert "ne peut plus être modifié" in response.content.decode()
    application.refresh_from_db()
    assert application.answers == {}


# Uploads ------------------------------------------------------------------------------


def test_upload_a_valid_pdf(client, application, member):
    logged_in(client, member)
    response = upload(client, application, "Lettre du maire.pdf", pdf_bytes())
    assert response.status_code == 302
    document = Document.objects.get(application=application)
    assert document.content_type == "application/pdf"
    assert document.removed_at is None
    assert len(stored_files()) == 1


@pytest.mark.parametrize(
    ("name", "content", "config", "reason"),
    [
        ("gros.pdf", None, {"max_size_mb": 0.0001}, "la limite est de"),
        ("image.pdf", PNG, {}, "Type de fichier refusé"),
        ("vide.pdf", b"", {}, "Le fichier est vide"),
        ("programme.pdf", b"MZ\x90\x00" + b"\x00" * 100, {}, "est un programme"),
        ("protege.pdf", "encrypted", {}, "protégé par un mot de passe"),
        ("casse.pdf", b"%PDF-1.4 garbage", {}, "illisible ou endommagé"),
    ],
)
def test_upload_refused_with_its_reason_and_nothing_stored(
    client, application, member, name, content, config, reason
):
    if config:
        question = Question.objects.get(section__revision=application.revision, key="lettre")
        question.config = config
        question.save()
    if content is None:
        content = pdf_bytes()
    elif content == "encrypted":
        content = encrypted_pdf()
    logged_in(client, member)
    response = upload(client, application, name, content)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Document.objects.count() == 0
    assert stored_files() == []
    # The same error comes back next to the slot for a JS upload.
    partial = upload(client, application, name, content, htmx=True)
    assert partial.status_code == 400
    assert 'id="slot-lettre"' in partial.content.decode()
    assert reason in partial.content.decode()
    assert Document.objects.count() == 0


def test_upload_without_a_file_is_refused(client, application, member):
    logged_in(client, member)
    response = client.post(f"/candidatures/{application.pk}/documents/lettre/", {})
    assert response.status_code == 400
    assert "Choisissez un fichier" in response.content.decode()


def test_uploaded_file_name_is_sanitised(client, application, member):
    logged_in(client, member)
    upload(client, application, "../../etc/Lettre d'été <signée>.pdf", pdf_bytes())
    document = Document.objects.get()
    assert "/" not in document.name and "<" not in document.name and ".." not in document.name
    assert document.name.endswith(".pdf")
    assert document.file.name.startswith(f"applications/{application.pk}/lettre/")


def test_replacing_a_file_in_a_single_file_slot_keeps_one_current_document(
    client, application, member
):
    logged_in(client, member)
    upload(client, application, "premiere.pdf", pdf_bytes())
    response = upload(client, application, "seconde.pdf", pdf_bytes(), htmx=True)
    assert response.status_code == 200
    assert "seconde.pdf" in response.content.decode()
    current = services.current_documents(application)
    assert [document.name for document in current] == ["seconde.pdf"]
    assert Document.objects.filter(application=application).count() == 2


def test_remove_a_document(client, application, member):
    logged_in(client, member)
    upload(client, application, "lettre.pdf", pdf_bytes())
    document = Document.objects.get()
    response = client.post(f"/candidatures/{application.pk}/documents/{document.pk}/retirer/")
    assert response.status_code == 302
    assert not services.current_documents(application).exists()


def test_upload_by_a_non_member_is_404_and_stores_nothing(client, application):
    logged_in(client, member_of(OrganisationFactory()))
    response = upload(client, application, "lettre.pdf", pdf_bytes())
    assert response.status_code == 404
    assert Document.objects.count() == 0
    assert stored_files() == []


# Submission ----------------------------------------------------------------------------


def complete(application, member):
    services.autosave(
        application=application,
        by=member,
        base_version=0,
        changes={"projet": "Bancs frais", "resume": "Des bancs qui rafraîchissent."},
    )
    application.refresh_from_db()
    return services.upload_document(
        application=application,
        question_key="lettre",
        uploaded=SimpleUploadedFile("lettre.pdf", pdf_bytes()),
        by=member,
    )


def test_summary_lists_what_is_missing_with_links_and_hides_submit(client, application, member):
    logged_in(client, member)
    page = client.get(f"/candidatures/{application.pk}/recapitulatif/").content.decode()
    assert "Il reste 3 éléments à compléter" in page
    assert f'href="/candidatures/{application.pk}/sections/1/#q-projet"' in page
    assert f'href="/candidatures/{application.pk}/sections/1/#q-lettre"' in page
    assert "Pièce à joindre." in page
    assert "Déposer le dossier" not in page


def test_submit_refused_when_incomplete(client, application, member):
    logged_in(client, member)
    response = client.post(f"/candidatures/{application.pk}/deposer/", follow=True)
    assert "Le dossier est incomplet" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not Submission.objects.exists()


def test_submit_refused_after_the_deadline(client, application, member):
    complete(application, member)
    call = application.call
    call.opens_at = timezone.now() - datetime.timedelta(days=10)
    call.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    call.save()
    logged_in(client, member)
    summary = client.get(f"/candidatures/{application.pk}/recapitulatif/").content.decode()
    assert "Déposer le dossier" not in summary
    response = client.post(f"/candidatures/{application.pk}/deposer/", follow=True)
    assert "L&#x27;appel est clos depuis le" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "closing",
    [
        datetime.datetime(2024, 6, 16, 23, 59, 59, tzinfo=PARIS),  # summer time
        datetime.datetime(2024, 1, 12, 23, 59, 59, tzinfo=PARIS),  # winter time
        datetime.datetime(2024, 10, 27, 23, 59, 59, tzinfo=PARIS),  # the night summer time ends
        datetime.datetime(2024, 3, 31, 23, 59, 59, tzinfo=PARIS),  # the night summer time starts
        datetime.datetime(2024, 10, 26, 23, 59, 59, tzinfo=PARIS),  # the day before it ends
    ],
)
def test_submission_deadline_is_inclusive_in_paris_time(closing, member, application):
    complete(application, member)
    call = application.call
    call.opens_at = closing - datetime.timedelta(days=30)
    call.closes_at = closing
    call.save()
    midnight = datetime.datetime.combine(
        closing.date() + datetime.timedelta(days=1), datetime.time(0, 0, 0), tzinfo=PARIS
    )
    assert midnight - closing == datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError) as refused:
        services.submit_application(application=application, by=member, now=midnight)
    assert f"{format_date(closing)} à 23:59" in refused.value.messages[0]
    assert not Submission.objects.exists()
    submission = services.submit_application(application=application, by=member, now=closing)
    assert submission.submitted_at == closing
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_submit_complete_application_then_double_click_creates_one_submission(
    client, application, member, on_commit
):
    complete(application, member)
    logged_in(client, member)
    summary = client.get(f"/candidatures/{application.pk}/recapitulatif/").content.decode()
    assert "Le dossier est complet." in summary and "Déposer le dossier" in summary
    first = on_commit(lambda: client.post(f"/candidatures/{application.pk}/deposer/"))
    second = on_commit(lambda: client.post(f"/candidatures/{application.pk}/deposer/"))
    assert first["Location"] == f"/candidatures/{application.pk}/confirmation/"
    assert second["Location"] == f"/candidatures/{application.pk}/confirmation/"
    assert Submission.objects.filter(application=application).count() == 1
    page = client.get(first["Location"]).content.decode()
    assert application.reference in page
    assert f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf" in page
    # The members are told, with the link to the application.
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert f"http://testserver/candidatures/{application.pk}/" in mail.outbox[0].body
    assert application.reference in mail.outbox[0].subject


def test_acknowledgement_pdf_holds_reference_and_document_hashes(client, application, member):
    document = complete(application, member)
    services.submit_application(application=application, by=member)
    logged_in(client, member)
    response = client.get(f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert ".pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")

    text = pdf_text(response.content)
    flat = "".join(text.split())
    assert application.reference in flat
    assert document.sha256 in flat
    assert "Bancsfrais" in flat
    assert (
        client.get(f"/candidatures/{application.pk}/depots/2/accuse-de-reception.pdf").status_code
        == 404
    )


def test_acknowledgement_shows_what_was_true_at_submission_forever(client, application, member):
    complete(application, member)
    organisation = application.organisation
    organisation.name, organisation.siret = "Bancs du Matin", "73282932000074"
    organisation.save()
    call = application.call
    call.title = "Appel des bancs 2026"
    call.save()
    member.full_name = "Camille Durand"
    member.save()
    services.submit_application(application=application, by=member)
    # Afterwards everything is renamed, the question too.
    organisation.name, organisation.siret = "Nouveau Nom SAS", "55210055400013"
    organisation.save()
    call.title = "Appel renommé"
    call.save()
    member.full_name = "Camille Martin"
    member.save()
    Question.objects.filter(key="projet").update(label="Intitulé changé")
    logged_in(client, member)
    response = client.get(f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf")
    flat = "".join(pdf_text(response.content).split())
    for then in ("BancsduMatin", "73282932000074", "Appeldesbancs2026", "CamilleDurand"):
        assert then in flat
    assert "Nomduprojet" in flat and "Bancsfrais" in flat
    for now in ("NouveauNom", "55210055400013", "Appelrenommé", "CamilleMartin", "Intituléchangé"):
        assert now not in flat


def test_resubmission_after_a_correction_request_uses_its_due_date(member, application):
    complete(application, member)
    services.submit_application(application=application, by=member)
    application.refresh_from_db()
    application.status = Status.CORRECTION_REQUESTED
    application.save()
    call = application.call
    call.opens_at = timezone.now() - datetime.timedelta(days=40)
    call.closes_at = timezone.now() - datetime.timedelta(days=1)
    call.save()
    due = timezone.now() + datetime.timedelta(days=3)
    application.correction_requests.create(message="Signez la lettre.", due_at=due)
    submission = services.submit_application(application=application, by=member)
    assert submission.number == 2
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    # Staff, not the new deposit, decide whether the correction is resolved.
    assert application.correction_requests.filter(resolved_at__isnull=True).exists()


def test_resubmission_after_the_correction_due_date_is_refused(member, application):
    complete(application, member)
    services.submit_application(application=application, by=member)
    application.refresh_from_db()
    application.status = Status.CORRECTION_REQUESTED
    application.save()
    application.correction_requests.create(
        message="Signez la lettre.", due_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        services.submit_application(application=application, by=member)
    assert Submission.objects.filter(application=application).count() == 1


def test_autosave_status_gives_the_time_in_each_languages_typography(client, application, member):
    logged_in(client, member)
    french = autosave(client, application, {"projet": "Un"}).content.decode()
    assert re.search(r"Enregistré à \d\d h \d\d", french)
    client.post("/langue/", {"language": "en", "next": "/"})
    application.refresh_from_db()
    english = autosave(
        client,
        application,
        {"projet": "Deux"},
        base_version=application.version,
        original={"projet": "Un"},
    ).content.decode()
    assert re.search(r"Saved at \d\d:\d\d", english), english


def test_migration_fills_the_receipt_of_earlier_submissions(application, member):
    migration = importlib.import_module("qmi.calls.migrations.0009_submission_receipt")
    complete(application, member)
    submission = services.submit_application(application=application, by=member)
    frozen = Submission.objects.get(pk=submission.pk).receipt
    Submission.objects.filter(pk=submission.pk).update(receipt={})
    migration.fill_receipts(apps, None)
    # Built from the same facts, an old row gets the receipt a new one stores.
    assert Submission.objects.get(pk=submission.pk).receipt == frozen


def test_receipt_keeps_ranked_communes_units_and_yes_no_as_they_read_that_day(client):
    call = CallFactory()
    ranked = ChallengeFactory(
        edition_commune=EditionCommuneFactory(edition=call.edition, commune__name="Sceaux"),
        title="Rafraîchir les Blagis",
    )
    add_question(call, "deja", Question.Kind.YES_NO, label="Déjà testé ?")
    add_question(call, "budget", Question.Kind.NUMBER, label="Budget", config={"unit": "€"})
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING, label="Communes")
    answers = {"deja": "yes", "budget": 1200, "communes": [str(ranked.edition_commune.pk)]}
    application = ApplicationFactory(
        call=call, answers=answers, status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    SubmissionFactory(application=application, number=1, answers=answers)
    ranked.title = "Un autre défi"
    ranked.save()
    Question.objects.filter(key="budget").update(config={"unit": "k€"})
    logged_in(client, member_of(application.organisation))
    response = client.get(f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf")
    flat = "".join(pdf_text(response.content).split())
    assert "Déjàtesté?Oui" in flat and "Budget1200€" in flat
    assert "1erchoix:Sceaux—RafraîchirlesBlagis" in flat
    assert "Unautredéfi" not in flat and "k€" not in flat


def test_acknowledgement_lists_files_under_their_document(client, member):
    call = CallFactory()
    add_question(call, "projet", label="Nom du projet")
    add_question(
        call,
        "annexes",
        Question.Kind.DOCUMENT,
        label="Annexes techniques",
        config={"multiple": True},
    )
    add_question(call, "budget", Question.Kind.DOCUMENT, label="Budget prévisionnel")
    application = ApplicationFactory(call=call, organisation=member.memberships.get().organisation)
    services.autosave(
        application=application, by=member, base_version=0, changes={"projet": "Bancs"}
    )
    application.refresh_from_db()
    files = [
        ("budget", "budget.pdf", 72),
        ("annexes", "plan.pdf", 80),
        ("annexes", "photo.pdf", 90),
    ]
    for key, name, width in files:  # distinct files: the same one twice in a slot is refused
        services.upload_document(
            application=application,
            question_key=key,
            uploaded=SimpleUploadedFile(name, pdf_bytes(width=width)),
            by=member,
        )
    services.submit_application(application=application, by=member)
    logged_in(client, member)
    response = client.get(f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf")
    text = pdf_text(response.content)
    files = text[: text.index("Réponses déposées")]
    positions = [
        files.index(word)
        for word in (
            "Annexes techniques",
            "plan.pdf",
            "photo.pdf",
            "Budget prévisionnel",
            "budget.pdf",
        )
    ]
    assert positions == sorted(positions)


def test_receipt_files_of_no_listed_document_come_last_under_other_files():
    receipt = {
        "sections": [
            {"title": "S", "items": [{"key": "cv", "kind": "document", "label": "CV"}]},
        ],
        "documents": [
            {"key": "ancienne", "name": "vieux.pdf", "size": 1, "sha256": "b"},
            {"key": "cv", "name": "cv.pdf", "size": 1, "sha256": "a"},
        ],
    }
    groups = receipts.document_groups(receipt)
    assert [(g["label"], [d["name"] for d in g["documents"]]) for g in groups] == [
        ("CV", ["cv.pdf"]),
        ("Autres pièces", ["vieux.pdf"]),
    ]
