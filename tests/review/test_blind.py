"""Blind phases: jurors read a file without what identifies the applicant."""

import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Application, Question
from qmi.review.models import Phase, RedactedCopy, Review
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    DocumentFactory,
    OrganisationFactory,
    ReviewPhaseFactory,
    UserFactory,
    add_question,
    review_of,
)
from tests.utils import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def blind_review():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.LONG_TEXT, label="Le projet")
    add_question(call, "courriel", Question.Kind.EMAIL, label="Courriel")
    add_question(
        call,
        "stade",
        Question.Kind.SINGLE_CHOICE,
        label="Stade",
        config={"choices": ["Idée", "Prototype"]},
    )
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre")
    phase = ReviewPhaseFactory(call=call, identities_shown=False)
    CriterionFactory(phase=phase)
    application = ApplicationFactory(
        call=call,
        status=Application.Status.COMPLETE,
        submitted_at=timezone.now(),
        organisation=OrganisationFactory(name="Ombrelles Dupont SAS"),
        answers={
            "projet": "Les ombrelles Dupont, fondées à Pantin par Jeanne Dupont.",
            "courriel": "jeanne@ombrelles-dupont.example",
            "stade": "Prototype",
        },
    )
    DocumentFactory(application=application, question_key="lettre", name="lettre-dupont.pdf")
    return review_of(phase, application)


def page_of(client, review):
    client.force_login(review.assignment.juror.user)
    return client.get(reverse("review:review", args=[review.pk])).content.decode()


def test_a_blind_page_shows_neither_name_nor_contact_nor_documents(client, blind_review):
    application = blind_review.assignment.application
    page = page_of(client, blind_review)
    for identifying in (
        "Ombrelles Dupont",
        application.reference,
        "jeanne@",
        "lettre-dupont.pdf",
        "Jeanne Dupont",
    ):
        assert identifying not in page
    assert f"Dossier n° {application.pk}" in page
    assert "Prototype" in page  # a choice says what the project is, not who
    assert "masqué en attendant sa copie anonymisée" in page
    queue = client.get(reverse("review:queue")).content.decode()
    assert "Ombrelles Dupont" not in queue and application.reference not in queue


def test_jurors_read_the_copy_staff_prepared(client, staff, blind_review):
    application = blind_review.assignment.application
    url = reverse("review:redaction", args=[application.call.pk, application.pk])
    client.force_login(staff)
    form = client.get(url).content.decode()
    assert "fondées à Pantin" in form  # staff start from the original
    too_long = client.post(url, {"answer-projet": "x" * 20001})
    assert too_long.status_code == 422
    assert "caractères au plus" in too_long.content.decode()
    assert not RedactedCopy.objects.exists()
    client.post(url, {"answer-projet": "Des ombrelles solaires pliantes pour les places."})
    assert RedactedCopy.objects.get(application=application).answers == {
        "projet": "Des ombrelles solaires pliantes pour les places."
    }
    page = page_of(client, blind_review)
    assert "Des ombrelles solaires pliantes" in page
    assert "Pantin" not in page


def test_a_blind_phase_serves_no_document_and_no_total_of_others(client, blind_review):
    application = blind_review.assignment.application
    document = application.documents.get()
    client.force_login(blind_review.assignment.juror.user)
    url = reverse("review:document", args=[blind_review.pk, document.pk])
    assert client.get(url).status_code == 404
    phase = blind_review.assignment.phase
    Phase.objects.filter(pk=phase.pk).update(others_reviews=Phase.OthersReviews.ALWAYS)
    other = review_of(phase, application)
    Review.objects.filter(pk=other.pk).update(
        status=Review.Status.SUBMITTED, total=17, comment="Solide."
    )
    page = page_of(client, blind_review)
    assert "Solide." in page and "17" not in page.split("others-title")[1]
    Phase.objects.filter(pk=phase.pk).update(identities_shown=True)  # the control
    assert client.get(url).status_code == 200


def test_only_operator_staff_prepare_copies(client, blind_review):
    application = blind_review.assignment.application
    url = reverse("review:redaction", args=[application.call.pk, application.pk])
    for person in (UserFactory(), blind_review.assignment.juror.user):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer-projet": "x"}).status_code == 404
    assert not RedactedCopy.objects.exists()


def test_the_jurors_pdf_and_export_stay_blind(client, blind_review):
    """The file as a PDF and the juror's export name nobody in a blind phase."""
    application = blind_review.assignment.application
    RedactedCopy.objects.create(
        application=application, answers={"projet": "Des ombrelles fondées à [ville]."}
    )
    Phase.objects.filter(pk=blind_review.assignment.phase_id).update(status=Phase.Status.OPEN)
    client.force_login(blind_review.assignment.juror.user)
    pdf = client.get(reverse("review:file_pdf", args=[blind_review.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Des ombrelles fondées à [ville]." in text and "Prototype" in text
    for clue in ("Dupont", "jeanne@", "lettre-dupont", application.reference):
        assert clue not in text, clue
    export = client.get(reverse("review:my_reviews_csv")).content.decode("utf-8-sig")
    assert f"Dossier n° {application.pk}" in export
    assert "Dupont" not in export and application.reference not in export

    # With identities shown, the same PDF and export name the applicant.
    Phase.objects.filter(pk=blind_review.assignment.phase_id).update(identities_shown=True)
    text = pdf_text(client.get(reverse("review:file_pdf", args=[blind_review.pk])).content)
    assert "Ombrelles Dupont SAS" in text and "Les ombrelles Dupont" in text
    assert "Ombrelles Dupont SAS" in client.get(reverse("review:my_reviews_csv")).content.decode()


def test_another_jurors_file_pdf_is_not_found(client, blind_review):
    client.force_login(UserFactory())
    assert client.get(reverse("review:file_pdf", args=[blind_review.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("review:file_pdf", args=[blind_review.pk])).status_code == 302
