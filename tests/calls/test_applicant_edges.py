"""The applicant's rough edges (issue 9): invalid answers flagged at the field, the same
file twice, documents asked for in a correction, and the wording of the pages."""


import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qmi.calls.models import Application, Document, Question
from qmi.calls.services import applications as services
from tests.factories import ApplicationFactory, CallFactory, add_question
from tests.utils import logged_in, member_of, pdf_bytes

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
