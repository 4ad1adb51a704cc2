"""The examination page of an application and the staff's decisions on it."""

import datetime

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from qmi.calls.models import Application, CorrectionRequest, Document, Question, Submission
from qmi.core.models import AuditEntry
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    DocumentFactory,
    EditionCommuneFactory,
    MembershipFactory,
    add_question,
)

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture
def application():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.LONG_TEXT, label="Votre projet")
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING, label="Communes souhaitées")
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre d'engagement")
    application = ApplicationFactory(
        call=call, status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    MembershipFactory(organisation=application.organisation, user__email="porteur@exemple.fr")
    return application


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """E-mails leave after commit: run those callbacks as the request ends."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def _decide(client, application, data, follow=True):
    return client.post(f"/gestion/candidatures/{application.pk}/decision/", data, follow=follow)


def _future(days=7):
    moment = timezone.localtime(timezone.now() + datetime.timedelta(days=days))
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_examination_page_shows_answers_commune_names_and_documents(staff_client, application):
    sceaux = EditionCommuneFactory(edition=application.call.edition, commune__name="Sceaux")
    meudon = EditionCommuneFactory(edition=application.call.edition, commune__name="Meudon")
    application.answers = {
        "projet": "Des bancs frais",
        "communes": [str(meudon.pk), str(sceaux.pk)],
    }
    application.save()
    document = Document(
        application=application,
        question_key="lettre",
        name="lettre-maire.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="a" * 64,
    )
    document.file.save("lettre.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    document.save()
    response = staff_client.get(f"/gestion/candidatures/{application.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert application.reference in html and "Des bancs frais" in html
    assert "<li>Meudon</li>" in html and html.index("<li>Meudon</li>") < html.index(
        "<li>Sceaux</li>"
    )
    assert f'href="/candidatures/{application.pk}/documents/{document.pk}/"' in html
    assert "a" * 64 in html and "lettre-maire.pdf" in html
    # The documents table names the slot by its question, not by its key.
    table = html[html.index('<table class="documents-table">') :]
    table = table[: table.index("</table>")]
    assert "<td>Lettre d&#x27;engagement</td>" in table and "<td>lettre</td>" not in table
    assert f'href="/organisations/{application.organisation.pk}/"' in html


def test_examination_compares_the_latest_two_submissions(staff_client, application, staff):
    revision = application.revision
    Submission.objects.create(
        application=application,
        number=1,
        revision=revision,
        answers={"projet": "Des bancs à l'ombre", "communes": []},
        submitted_by=staff,
    )
    Submission.objects.create(
        application=application,
        number=2,
        revision=revision,
        answers={"projet": "Des bancs frais à l'ombre", "communes": []},
        documents=[{"key": "lettre", "name": "lettre.pdf", "size": 1, "sha256": "b" * 64}],
    )
    response = staff_client.get(f"/gestion/candidatures/{application.pk}/")
    changes = {c["question"].key: c for c in response.context["comparison"]}
    assert set(changes) == {"projet", "lettre"}
    assert "<ins>frais </ins>" in changes["projet"]["diff"]
    assert changes["lettre"]["new"] == "lettre.pdf"
    assert "Dépôt n° 1" in response.content.decode()


def test_request_correction_notifies_members_and_is_audited(staff_client, application, on_commit):
    response = on_commit(
        lambda: _decide(
            staff_client,
            application,
            {
                "decision": "correction",
                "correction-message": "Il manque la lettre du maire.",
                "correction-due_at": _future(),
            },
        )
    )
    application.refresh_from_db()
    assert application.status == Status.CORRECTION_REQUESTED
    correction = CorrectionRequest.objects.get(application=application)
    assert correction.message == "Il manque la lettre du maire."
    assert [message.to for message in mail.outbox] == [["porteur@exemple.fr"]]
    assert AuditEntry.objects.filter(
        object_id=str(application.pk), action="transition", note="Il manque la lettre du maire."
    ).exists()
    assert "La demande de correction a été envoyée" in response.content.decode()


def test_request_correction_requires_a_message(staff_client, application, on_commit):
    response = on_commit(
        lambda: _decide(
            staff_client,
            application,
            {"decision": "correction", "correction-message": " ", "correction-due_at": _future()},
        )
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert "Dites ce qui manque ou doit être corrigé." in response.content.decode()
    assert not mail.outbox


def test_request_correction_due_date_must_be_in_the_future(staff_client, application):
    response = _decide(
        staff_client,
        application,
        {
            "decision": "correction",
            "correction-message": "Lettre manquante",
            "correction-due_at": _future(days=-1),
        },
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert "La date limite doit être dans le futur." in response.content.decode()
    # What was typed stays in the form.
    assert "Lettre manquante" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_mark_complete_tells_the_applicant(staff_client, application, on_commit):
    on_commit(lambda: _decide(staff_client, application, {"decision": "complete"}))
    application.refresh_from_db()
    assert application.status == Status.COMPLETE
    assert AuditEntry.objects.filter(object_id=str(application.pk), action="transition").exists()
    assert [message.to for message in mail.outbox] == [["porteur@exemple.fr"]]
    assert "complet et recevable" in mail.outbox[0].body
    assert application.reference in mail.outbox[0].subject


def test_inadmissible_requires_a_reason(staff_client, application):
    response = _decide(
        staff_client, application, {"decision": "inadmissible", "inadmissible-reason": ""}
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert "Le motif est obligatoire" in response.content.decode()


def test_inadmissible_with_reason_notifies_members(staff_client, application, on_commit):
    on_commit(
        lambda: _decide(
            staff_client,
            application,
            {"decision": "inadmissible", "inadmissible-reason": "Organisation non éligible."},
        )
    )
    application.refresh_from_db()
    assert application.status == Status.INADMISSIBLE
    assert [message.to for message in mail.outbox] == [["porteur@exemple.fr"]]


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "complete"},
        {"decision": "inadmissible", "inadmissible-reason": "Hors délai"},
    ],
)
def test_decisions_refused_from_a_draft_with_a_message(staff_client, data):
    draft = ApplicationFactory()
    response = _decide(staff_client, draft, data)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert "n&#x27;est pas possible depuis l&#x27;état actuel" in response.content.decode()


def test_decision_forms_hidden_when_no_move_is_possible(staff_client):
    complete = ApplicationFactory(status=Status.COMPLETE, submitted_at=timezone.now())
    html = staff_client.get(f"/gestion/candidatures/{complete.pk}/").content.decode()
    assert 'name="decision"' not in html


def _document(application, name, content_type, content):
    return DocumentFactory(
        application=application,
        name=name,
        content_type=content_type,
        content=content,
        sha256="c" * 64,
    )


def test_document_preview_is_inline_with_a_strict_policy(staff_client, application):
    document = _document(application, "lettre.pdf", "application/pdf", b"%PDF-1.4 test")
    page = staff_client.get(f"/gestion/candidatures/{application.pk}/").content.decode()
    url = f"/gestion/candidatures/{application.pk}/documents/{document.pk}/apercu/"
    assert f'<iframe src="{url}"' in page
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_document_preview_refuses_other_types_and_other_applications(staff_client, application):
    word = _document(
        application,
        "budget.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    )
    base = f"/gestion/candidatures/{application.pk}/documents"
    assert staff_client.get(f"{base}/{word.pk}/apercu/").status_code == 404
    image = _document(application, "plan.png", "image/png", b"\x89PNG\r\n")
    other = ApplicationFactory()
    assert (
        staff_client.get(
            f"/gestion/candidatures/{other.pk}/documents/{image.pk}/apercu/"
        ).status_code
        == 404
    )
    response = staff_client.get(f"{base}/{image.pk}/apercu/")
    assert response.status_code == 200 and "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "content_type", "content"),
    [
        ("lettre.pdf", "application/pdf", b"%PDF-1.4 test"),
        ("plan.png", "image/png", b"\x89PNG\r\n"),
        ("photo.jpg", "image/jpeg", b"\xff\xd8\xff"),
    ],
)
def test_document_preview_is_sandboxed_whatever_its_type(
    staff_client, application, name, content_type, content
):
    """A PDF shown inline could carry JavaScript: its frame runs nothing, at an opaque origin."""
    document = _document(application, name, content_type, content)
    url = f"/gestion/candidatures/{application.pk}/documents/{document.pk}/apercu/"
    response = staff_client.get(url)
    assert response.status_code == 200
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    assert response["X-Content-Type-Options"] == "nosniff"
