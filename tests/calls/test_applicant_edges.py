"""The applicant's rough edges (issue 9): invalid answers flagged at the field, the same
file twice, documents asked for in a correction, and the wording of the pages."""

import html
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qmi.calls.models import Application, Document, Question
from qmi.calls.services import applications as services
from tests.factories import ApplicationFactory, CallFactory, add_question
from tests.utils import input_described_by, logged_in, member_of, pdf_bytes

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
