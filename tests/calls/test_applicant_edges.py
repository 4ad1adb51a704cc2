"""The applicant's rough edges (issue 9): invalid answers flagged at the field, the same
file twice, documents asked for in a correction, and the wording of the pages."""

import datetime
import html
import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

import qmi
from qmi.calls import answers as answer_rules
from qmi.calls.models import (
    Application,
    CorrectionRequest,
    Document,
    Question,
    RequestedDocument,
)
from qmi.calls.services import applications as services
from qmi.calls.services import examination
from qmi.core.models import AuditEntry
from qmi.core.templatetags.qmi_files import filesize
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    DocumentFactory,
    add_question,
    metropolis_user,
)
from tests.utils import (
    executable_upload,
    input_described_by,
    logged_in,
    member_of,
    pdf_bytes,
    pdf_text,
)

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture
def call():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet")
    add_question(call, "courriel", Question.Kind.EMAIL, label="Courriel du contact", required=False)
    add_question(
        call,
        "budget",
        Question.Kind.NUMBER,
        label="Budget",
        required=False,
        config={"min": 0, "max": 1000},
    )
    add_question(
        call,
        "annexes",
        Question.Kind.DOCUMENT,
        label="Annexes",
        required=False,
        config={"multiple": True},
    )
    return call


@pytest.fixture
def application(call):
    return ApplicationFactory(call=call)


@pytest.fixture
def member(application):
    return member_of(application.organisation)


def upload(client, application, name, content, key="annexes", htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        f"/candidatures/{application.pk}/documents/{key}/",
        {"file": SimpleUploadedFile(name, content)},
        **headers,
    )


# The same file twice -------------------------------------------------------------------


def test_the_same_file_twice_in_a_multi_file_slot_is_refused_with_the_name_it_has(
    client, application, member
):
    logged_in(client, member)
    upload(client, application, "statuts.pdf", pdf_bytes())
    response = upload(client, application, "statuts (copie).pdf", pdf_bytes())
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ce fichier est déjà joint sous le nom « statuts.pdf »" in body
    assert [d.name for d in services.current_documents(application)] == ["statuts.pdf"]
    assert Document.objects.filter(application=application).count() == 1


def test_another_file_in_a_multi_file_slot_is_added(client, application, member):
    logged_in(client, member)
    upload(client, application, "statuts.pdf", pdf_bytes())
    response = upload(client, application, "bilan.pdf", pdf_bytes(width=100))
    assert response.status_code == 200
    names = sorted(d.name for d in services.current_documents(application))
    assert names == ["bilan.pdf", "statuts.pdf"]


def test_a_removed_file_may_be_sent_again(client, application, member):
    document = services.upload_document(
        application=application,
        question_key="annexes",
        uploaded=SimpleUploadedFile("statuts.pdf", pdf_bytes()),
        by=member,
    )
    services.remove_document(document=document, by=member)
    services.upload_document(
        application=application,
        question_key="annexes",
        uploaded=SimpleUploadedFile("statuts.pdf", pdf_bytes()),
        by=member,
    )
    assert services.current_documents(application).count() == 1


def test_the_service_refuses_the_duplicate_whoever_calls_it(application, member):
    services.upload_document(
        application=application,
        question_key="annexes",
        uploaded=SimpleUploadedFile("a.pdf", pdf_bytes()),
        by=member,
    )
    with pytest.raises(ValidationError, match="déjà joint"):
        services.upload_document(
            application=application,
            question_key="annexes",
            uploaded=SimpleUploadedFile("b.pdf", pdf_bytes()),
            by=member,
        )


# Invalid answers flagged at the field ------------------------------------------------


def autosave(client, application, values, *, original=None):
    application.refresh_from_db()
    data = {
        "section": 1,
        "base_version": application.version,
        "original": json.dumps(original or {}),
        **{f"a_{key}": value for key, value in values.items()},
    }
    return client.post(f"/candidatures/{application.pk}/enregistrer/", data, HTTP_HX_REQUEST="true")


def field_problems(response):
    match = re.search(r'data-field-problems="([^"]*)"', response.content.decode())
    return json.loads(html.unescape(match.group(1))) if match else None


def test_autosave_saves_a_malformed_answer_as_typed_and_says_what_is_wrong(
    client, application, member
):
    logged_in(client, member)
    response = autosave(client, application, {"courriel": "camille@", "budget": "2000"})
    assert response.status_code == 200
    assert field_problems(response) == {
        "courriel": "Saisissez une adresse e-mail valide.",
        "budget": "Le nombre doit être au plus 1000.",
    }
    body = response.content.decode()
    assert "à vérifier, « Courriel du contact » : Saisissez une adresse e-mail valide." in body
    application.refresh_from_db()
    assert application.answers["courriel"] == "camille@"
    assert application.answers["budget"] == "2000"


def test_autosave_says_a_fixed_answer_is_fine_so_the_page_removes_the_message(
    client, application, member
):
    logged_in(client, member)
    autosave(client, application, {"courriel": "camille@"})
    response = autosave(
        client, application, {"courriel": "camille@exemple.fr"}, original={"courriel": "camille@"}
    )
    assert field_problems(response) == {"courriel": ""}
    assert "à vérifier" not in response.content.decode()


def test_autosave_does_not_flag_an_answer_emptied_while_filling_in(client, application, member):
    logged_in(client, member)
    autosave(client, application, {"projet": "Bancs"})
    response = autosave(client, application, {"projet": ""}, original={"projet": "Bancs"})
    assert field_problems(response) == {"projet": ""}


@pytest.mark.parametrize(
    ("kind", "config", "value", "message"),
    [
        (Question.Kind.URL, {}, "exemple", "Saisissez une adresse web complète"),
        (Question.Kind.NUMBER, {}, "douze", "Saisissez un nombre."),
        (Question.Kind.NUMBER, {"min": 10}, "3", "Le nombre doit être au moins 10."),
        (Question.Kind.LONG_TEXT, {"max_chars": 5}, "six ch", "5 caractères au maximum"),
        (Question.Kind.PHONE, {}, "pas un numéro", "Saisissez un numéro de téléphone valide."),
    ],
)
def test_every_rule_of_a_question_is_flagged_while_filling_in(
    client, application, member, kind, config, value, message
):
    add_question(application.call, "autre", kind, label="Autre", config=config)
    logged_in(client, member)
    response = autosave(client, application, {"autre": value})
    assert message in field_problems(response)["autre"]


def test_the_section_page_shows_a_stored_malformed_answer_at_its_field(client, application, member):
    logged_in(client, member)
    autosave(client, application, {"courriel": "camille@", "projet": "Bancs"})
    response = client.get(f"/candidatures/{application.pk}/sections/1/")
    body = response.content.decode()
    assert (
        '<p class="errorlist field-problem" id="q-courriel-problem">'
        "Saisissez une adresse e-mail valide.</p>"
    ) in body
    assert "q-courriel-problem" in input_described_by(response, "a_courriel")
    assert re.search(r'<input[^>]*name="a_courriel"[^>]*aria-invalid="true"', body)
    assert not re.search(r'<input[^>]*name="a_projet"[^>]*aria-invalid', body)
    assert input_described_by(response, "a_projet") == []


# Documents asked for in a correction, and staff deciding when it is resolved -----------


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def submitted(application, member):
    services.autosave(
        application=application, by=member, base_version=0, changes={"projet": "Bancs"}
    )
    application.refresh_from_db()
    services.submit_application(application=application, by=member)
    application.refresh_from_db()
    return application


def _future(days=7):
    return timezone.localtime(timezone.now() + datetime.timedelta(days=days)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def _ask_for_kbis(staff_client, application, **extra):
    return staff_client.post(
        f"/gestion/candidatures/{application.pk}/decision/",
        {
            "decision": "correction",
            "correction-message": "Il manque un extrait Kbis.",
            "correction-due_at": _future(),
            "correction-document_1": "Extrait Kbis",
            "correction-document_1_help": "De moins de trois mois.",
            **extra,
        },
        follow=True,
    )


def _correct(application, member):
    requested = RequestedDocument.objects.get(correction__application=application)
    services.upload_document(
        application=application,
        question_key=requested.document_key,
        uploaded=SimpleUploadedFile("kbis.pdf", pdf_bytes(width=90)),
        by=member,
    )
    return services.submit_application(application=application, by=member)


def test_staff_ask_for_a_document_the_form_did_not_have(staff_client, submitted, member, on_commit):
    response = on_commit(lambda: _ask_for_kbis(staff_client, submitted))
    assert response.status_code == 200
    requested = RequestedDocument.objects.get()
    assert (requested.label, requested.help_text) == ("Extrait Kbis", "De moins de trois mois.")
    assert AuditEntry.objects.filter(
        object_id=str(submitted.pk),
        action="documents_requested",
        changes={"documents": ["Extrait Kbis"]},
    ).exists()
    body = mail.outbox[-1].body
    assert "L'équipe demande aussi une pièce que le formulaire ne prévoyait pas" in body
    assert "- Extrait Kbis (De moins de trois mois.)" in body
    page = response.content.decode()
    assert "Extrait Kbis" in page and "Pièces demandées en plus du formulaire" in page


def test_a_help_text_without_a_label_is_refused_at_its_field(staff_client, submitted):
    response = _ask_for_kbis(staff_client, submitted, **{"correction-document_1": ""})
    assert "Donnez un intitulé à la pièce demandée." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not RequestedDocument.objects.exists()


def test_the_applicant_gets_an_upload_slot_and_cannot_deposit_without_the_document(
    client, staff_client, submitted, member
):
    _ask_for_kbis(staff_client, submitted)
    requested = RequestedDocument.objects.get()
    logged_in(client, member)
    page = client.get(f"/candidatures/{submitted.pk}/").content.decode()
    assert "Pièces demandées par l'équipe" in page
    assert f'action="/candidatures/{submitted.pk}/pieces-demandees/{requested.pk}/"' in page
    assert "De moins de trois mois." in page
    summary = client.get(f"/candidatures/{submitted.pk}/recapitulatif/").content.decode()
    assert (
        f'href="/candidatures/{submitted.pk}/#slot-{requested.document_key}">Extrait Kbis'
        in summary
    )
    assert "Pièce demandée par l&#x27;équipe, à joindre." in summary
    with pytest.raises(ValidationError):
        services.submit_application(application=submitted, by=member)


def test_a_requested_document_goes_through_the_same_upload_checks(
    client, staff_client, submitted, member
):
    _ask_for_kbis(staff_client, submitted)
    requested = RequestedDocument.objects.get()
    logged_in(client, member)
    url = f"/candidatures/{submitted.pk}/pieces-demandees/{requested.pk}/"
    refused = client.post(url, {"file": executable_upload("kbis.pdf")})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.content.decode()
    assert (
        not services.current_documents(submitted)
        .filter(question_key=requested.document_key)
        .exists()
    )
    accepted = client.post(url, {"file": SimpleUploadedFile("kbis.pdf", pdf_bytes(width=90))})
    assert accepted.status_code == 302
    assert accepted["Location"].endswith(f"#slot-{requested.document_key}")
    slot = client.post(
        url, {"file": SimpleUploadedFile("kbis2.pdf", pdf_bytes(width=95))}, HTTP_HX_REQUEST="true"
    )
    assert slot.status_code == 200 and "kbis2.pdf" in slot.content.decode()
    names = [d.name for d in services.current_documents(submitted)]
    assert names == ["kbis2.pdf"]


def test_a_stranger_cannot_upload_a_requested_document(client, staff_client, submitted):
    _ask_for_kbis(staff_client, submitted)
    requested = RequestedDocument.objects.get()
    logged_in(client, member_of(ApplicationFactory().organisation))
    response = client.post(
        f"/candidatures/{submitted.pk}/pieces-demandees/{requested.pk}/",
        {"file": SimpleUploadedFile("kbis.pdf", pdf_bytes())},
    )
    assert response.status_code == 404
    assert not Document.objects.exists()


def test_the_new_deposit_leaves_the_correction_to_staff_and_its_receipt_lists_the_document(
    staff_client, submitted, member
):
    _ask_for_kbis(staff_client, submitted)
    submitted.refresh_from_db()
    submission = _correct(submitted, member)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert CorrectionRequest.objects.get().resolved_at is None
    assert submission.receipt["requested"] == [{"label": "Extrait Kbis", "documents": ["kbis.pdf"]}]
    applicant = Client()
    logged_in(applicant, member)
    pdf = applicant.get(f"/candidatures/{submitted.pk}/depots/2/accuse-de-reception.pdf")
    text = pdf_text(pdf.content)
    assert "Pièces demandées lors de la correction" in text and "Extrait Kbis" in text
    page = applicant.get(f"/candidatures/{submitted.pk}/").content.decode()
    assert "Correction déposée" in page
    staff_page = staff_client.get(f"/gestion/candidatures/{submitted.pk}/").content.decode()
    assert "Correction déposée : à vérifier" in staff_page
    assert "Extrait Kbis (demandée en correction)" in staff_page


def test_staff_resolve_the_correction_audited_and_the_applicant_is_told(
    staff_client, staff, submitted, member, on_commit
):
    _ask_for_kbis(staff_client, submitted)
    submitted.refresh_from_db()
    _correct(submitted, member)
    mail.outbox.clear()
    response = on_commit(
        lambda: staff_client.post(
            f"/gestion/candidatures/{submitted.pk}/decision/", {"decision": "resolve"}, follow=True
        )
    )
    assert "La demande de correction est résolue" in response.content.decode()
    correction = CorrectionRequest.objects.get()
    assert correction.resolved_at is not None and correction.resolved_by == staff
    assert AuditEntry.objects.filter(
        object_id=str(submitted.pk), action="correction_resolved"
    ).exists()
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Correction acceptée sur le dossier" in mail.outbox[0].subject
    again = staff_client.post(
        f"/gestion/candidatures/{submitted.pk}/decision/", {"decision": "resolve"}, follow=True
    )
    assert "Aucune demande de correction n&#x27;est en attente" in again.content.decode()


def test_a_correction_cannot_be_resolved_before_the_new_deposit(staff, staff_client, submitted):
    _ask_for_kbis(staff_client, submitted)
    with pytest.raises(ValidationError, match="pas encore été déposé à nouveau"):
        examination.resolve_correction(application=submitted, by=staff)
    assert CorrectionRequest.objects.get().resolved_at is None


def test_only_examining_staff_resolve_a_correction(client, staff_client, submitted, member):
    _ask_for_kbis(staff_client, submitted)
    submitted.refresh_from_db()
    _correct(submitted, member)
    with pytest.raises(PermissionDenied):
        examination.resolve_correction(application=submitted, by=member)
    with pytest.raises(PermissionDenied):
        examination.resolve_correction(application=submitted, by=metropolis_user())
    logged_in(client, member)
    response = client.post(
        f"/gestion/candidatures/{submitted.pk}/decision/", {"decision": "resolve"}
    )
    assert response.status_code == 404
    assert CorrectionRequest.objects.get().resolved_at is None


def test_asking_again_closes_the_earlier_request_and_complete_resolves_the_last(
    staff, staff_client, submitted, member
):
    _ask_for_kbis(staff_client, submitted)
    submitted.refresh_from_db()
    _correct(submitted, member)
    second = examination.request_correction(
        application=submitted,
        by=staff,
        message="Le Kbis a plus de trois mois.",
        due_at=timezone.now() + datetime.timedelta(days=3),
        documents=[("Extrait Kbis récent", "")],
    )
    first = CorrectionRequest.objects.exclude(pk=second.pk).get()
    assert first.resolved_at is not None and first.resolved_by == staff
    assert [
        r.label for r in services.requested_documents(Application.objects.get(pk=submitted.pk))
    ] == ["Extrait Kbis récent"]
    submitted.refresh_from_db()
    requested = second.requested_documents.get()
    services.upload_document(
        application=submitted,
        question_key=requested.document_key,
        uploaded=SimpleUploadedFile("kbis-recent.pdf", pdf_bytes(width=120)),
        by=member,
    )
    services.submit_application(application=submitted, by=member)
    submitted.refresh_from_db()
    examination.mark_complete(application=submitted, by=staff)
    second.refresh_from_db()
    assert second.resolved_at is not None and second.resolved_by == staff


def test_too_many_requested_documents_are_refused(staff, submitted):
    with pytest.raises(ValidationError):
        examination.request_correction(
            application=submitted,
            by=staff,
            message="Pièces",
            due_at=timezone.now() + datetime.timedelta(days=3),
            documents=[(f"Pièce {n}", "") for n in range(6)],
        )
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


# Wording -------------------------------------------------------------------------------


def test_a_conflict_with_ones_own_other_tab_says_so(client, application, member):
    logged_in(client, member)
    autosave(client, application, {"projet": "Onglet B"})  # saved from another tab
    response = client.post(
        f"/candidatures/{application.pk}/enregistrer/",
        {"section": 1, "base_version": 0, "original": "{}", "a_projet": "Onglet A"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Vous avez modifié ces réponses dans un autre onglet entre-temps" in body
    assert "modifié par vous, dans un autre onglet, le " in body
    assert "Non enregistré : vous avez modifié ces réponses dans un autre onglet." in body
    assert "Quelqu'un d'autre" not in body


def test_a_conflict_with_a_colleague_names_the_colleague(client, application, member):
    colleague = member_of(application.organisation, full_name="Alex Durand")
    services.autosave(
        application=application, by=colleague, base_version=0, changes={"projet": "Le sien"}
    )
    logged_in(client, member)
    response = client.post(
        f"/candidatures/{application.pk}/enregistrer/",
        {"section": 1, "base_version": 0, "original": "{}", "a_projet": "Le mien"},
        HTTP_HX_REQUEST="true",
    )
    body = html.unescape(response.content.decode())
    assert "Quelqu'un d'autre a modifié ces réponses entre-temps" in body
    assert "modifié par Alex Durand le " in body
    assert "dans un autre onglet" not in body


def test_the_steps_count_the_summary_they_show(client, application, member):
    logged_in(client, member)
    page = client.get(f"/candidatures/{application.pk}/sections/1/").content.decode()
    steps = re.search(r'<nav class="steps".*?</nav>', page, flags=re.S).group(0)
    shown = steps.count("<li")
    assert shown == 2  # the one section, then "Récapitulatif et dépôt"
    assert f"Étape 1 sur {shown}" in steps
    assert f'<progress max="{shown}" value="1"' in steps


def test_no_false_plural_is_left_in_the_calls_pages_e_mails_and_messages():
    """« dossier(s) » reads as a form, not a sentence: ngettext / blocktranslate count instead."""
    root = Path(qmi.__file__).resolve().parent
    places = [root / "templates" / "calls", root / "templates" / "portal", root / "calls"]
    found = [
        f"{path.relative_to(root)}:{number}"
        for place in places
        for path in place.rglob("*")
        if path.suffix in (".html", ".txt", ".py") and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\w\((s|e|es|nt)\)", line)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("kind", "config", "value", "message"),
    [
        (Question.Kind.SHORT_TEXT, {"max_length": 1}, "ab", "1 caractère au maximum."),
        (
            Question.Kind.LONG_TEXT,
            {"max_chars": 1},
            "ab",
            "1 caractère au maximum (actuellement 2).",
        ),
        (Question.Kind.SHORT_TEXT, {"max_length": 2}, "abc", "2 caractères au maximum."),
    ],
)
def test_limits_are_worded_in_the_singular_or_the_plural(kind, config, value, message):
    question = Question(kind=kind, config=config, required=True)
    assert answer_rules.problems(question, value) == [message]


def test_the_character_counter_of_a_one_character_answer_is_singular(client, application, member):
    add_question(application.call, "mot", Question.Kind.LONG_TEXT, config={"max_chars": 1})
    add_question(application.call, "mots", Question.Kind.LONG_TEXT, config={"max_chars": 2})
    logged_in(client, member)
    page = client.get(f"/candidatures/{application.pk}/sections/1/").content.decode()
    assert ">1 caractère au maximum.</p>" in page
    assert ">2 caractères au maximum.</p>" in page


@pytest.mark.parametrize(
    ("language", "size", "shown"),
    [
        ("fr", 1, "1\xa0octet"),
        ("fr", 500, "500\xa0octets"),
        ("fr", 2048, "2,0\xa0Ko"),
        ("fr", 3 * 1024 * 1024 + 400_000, "3,4\xa0Mo"),
        ("fr", 5 * 1024**3, "5,0\xa0Go"),
        ("en", 2048, "2.0\xa0KB"),
        ("en", 3 * 1024 * 1024, "3.0\xa0MB"),
        ("fr", "pas un nombre", ""),
    ],
)
def test_file_sizes_read_ko_and_mo_not_kio(language, size, shown):
    with translation.override(language):
        assert filesize(size) == shown


def test_the_document_slot_and_summary_give_sizes_in_ko(client, application, member):
    logged_in(client, member)
    DocumentFactory(application=application, question_key="annexes", size=2048)
    for url in (
        f"/candidatures/{application.pk}/sections/1/",
        f"/candidatures/{application.pk}/recapitulatif/",
    ):
        body = client.get(url).content.decode()
        assert "(2,0\xa0Ko)" in body, url
        assert "Kio" not in body and "Mio" not in body


def test_the_homes_list_a_requested_document_among_what_a_file_lacks(
    staff_client, submitted, member
):
    _ask_for_kbis(staff_client, submitted)
    submitted.refresh_from_db()
    batched = services.checklists([submitted])[submitted.pk]
    single = services.checklist(submitted)
    assert [item["question"].label for item in batched] == ["Extrait Kbis"]
    assert [item["question"].label for item in single] == ["Extrait Kbis"]


def test_a_requested_document_can_be_removed_from_the_files_page(
    client, staff_client, submitted, member
):
    _ask_for_kbis(staff_client, submitted)
    requested = RequestedDocument.objects.get()
    logged_in(client, member)
    client.post(
        f"/candidatures/{submitted.pk}/pieces-demandees/{requested.pk}/",
        {"file": SimpleUploadedFile("kbis.pdf", pdf_bytes())},
    )
    document = services.current_documents(submitted).get()
    response = client.post(f"/candidatures/{submitted.pk}/documents/{document.pk}/retirer/")
    assert response.status_code == 302
    assert response["Location"] == f"/candidatures/{submitted.pk}/#slot-{requested.document_key}"
    assert not services.current_documents(submitted).exists()
