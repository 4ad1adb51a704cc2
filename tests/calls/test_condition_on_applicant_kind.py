"""Questions asked of some organisation kinds only: the mayor's name for communes.

The condition is read wherever visibility counts: section pages, the checklist,
submission, the frozen receipt and its PDF, the staff page and the exports.
"""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qmi.accounts.models import Organisation
from qmi.calls.answers import ORGANISATION_KIND_KEY
from qmi.calls.models import Application, Question
from qmi.calls.services import applications as services
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, add_question
from tests.utils import logged_in, member_of, pdf_bytes, pdf_text

pytestmark = pytest.mark.django_db
COMMUNES_ONLY = {"condition_key": ORGANISATION_KIND_KEY, "condition_value": "commune"}


@pytest.fixture
def call():
    call = CallFactory(eligible_kinds=["commune", "experimenter"])
    add_question(call, "projet", label="Nom du projet")
    add_question(call, "maire", label="Nom du maire", **COMMUNES_ONLY)
    add_question(
        call, "lettre-maire", Question.Kind.DOCUMENT, label="Lettre du maire", **COMMUNES_ONLY
    )
    return call


def applicant(call, kind):
    organisation = OrganisationFactory(kind=kind)
    application = ApplicationFactory(call=call, organisation=organisation)
    return application, member_of(organisation)


def answer(application, member, **changes):
    services.autosave(
        application=application, by=member, base_version=application.version, changes=changes
    )
    application.refresh_from_db()


def test_a_startup_neither_sees_nor_needs_the_mayor_questions(client, call, staff):
    application, member = applicant(call, Organisation.Kind.EXPERIMENTER)
    logged_in(client, member)
    page = client.get(f"/candidatures/{application.pk}/sections/1/").content.decode()
    assert 'id="field-maire"' in page and 'id="slot-lettre-maire"' in page
    assert 'data-condition-key="_type-organisation" data-condition-value="commune" hidden' in page
    assert "Nom du projet" in page
    answer(application, member, projet="Bancs frais")
    assert services.checklist(application) == []
    summary = client.get(f"/candidatures/{application.pk}/recapitulatif/").content.decode()
    assert "Nom du maire" not in summary and "Déposer le dossier" in summary
    submission = services.submit_application(application=application, by=member)
    labels = [item["label"] for s in submission.receipt["sections"] for item in s["items"]]
    assert labels == ["Nom du projet"]
    pdf = client.get(f"/candidatures/{application.pk}/depots/1/accuse-de-reception.pdf")
    assert "maire" not in pdf_text(pdf.content)
    staff_page = (
        logged_in(client, staff).get(f"/gestion/candidatures/{application.pk}/").content.decode()
    )
    assert staff_page.count("question non posée à ce candidat") == 2


def test_a_commune_sees_and_must_answer_the_mayor_questions(client, call):
    application, member = applicant(call, Organisation.Kind.COMMUNE)
    logged_in(client, member)
    page = client.get(f"/candidatures/{application.pk}/sections/1/").content.decode()
    assert 'data-condition-key="_type-organisation" data-condition-value="commune">' in page
    answer(application, member, projet="Bancs frais")
    missing = [item["question"].key for item in services.checklist(application)]
    assert missing == ["maire", "lettre-maire"]
    with pytest.raises(ValidationError):
        services.submit_application(application=application, by=member)
    answer(application, member, maire="Anne Hidalgo")
    services.upload_document(
        application=application,
        question_key="lettre-maire",
        uploaded=SimpleUploadedFile("lettre.pdf", pdf_bytes()),
        by=member,
    )
    submission = services.submit_application(application=application, by=member)
    labels = [item["label"] for s in submission.receipt["sections"] for item in s["items"]]
    assert labels == ["Nom du projet", "Nom du maire", "Lettre du maire"]
    assert application.__class__.objects.get(pk=application.pk).status == "submitted"


def test_the_home_checklist_follows_the_kind_of_each_file(call):
    startup, _startup_member = applicant(call, Organisation.Kind.EXPERIMENTER)
    commune, _commune_member = applicant(call, Organisation.Kind.COMMUNE)
    lists = services.checklists(
        Application.objects.filter(pk__in=[startup.pk, commune.pk]).select_related(
            "call__edition", "organisation"
        )
    )
    assert [item["question"].key for item in lists[startup.pk]] == ["projet"]
    assert [item["question"].key for item in lists[commune.pk]] == [
        "projet",
        "maire",
        "lettre-maire",
    ]


def test_exports_leave_questions_not_asked_of_the_applicant_empty(staff_client, call):
    startup, _member = applicant(call, Organisation.Kind.EXPERIMENTER)
    commune, _other = applicant(call, Organisation.Kind.COMMUNE)
    # An answer that no longer counts (the question was not asked of a startup).
    Application.objects.filter(pk=startup.pk).update(answers={"projet": "A", "maire": "Oubli"})
    Application.objects.filter(pk=commune.pk).update(answers={"projet": "B", "maire": "Mme X"})
    response = staff_client.get(f"/gestion/appels/{call.pk}/candidatures/export.csv")
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:]), delimiter=";")
    )
    column = rows[0].index("Nom du maire")
    by_reference = {row[0]: row for row in rows[1:]}
    assert by_reference[startup.reference][column] == ""
    assert by_reference[commune.reference][column] == "Mme X"
