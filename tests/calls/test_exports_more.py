"""The XLSX export of a call's applications and the ZIP of their documents."""

import hashlib
import io
import re
import zipfile

import pytest
from django.utils import timezone

from qmi.calls.exports import safe_name
from qmi.calls.models import Application, Document, Question
from qmi.calls.services import labels as services_labels
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    DocumentFactory,
    OrganisationFactory,
    add_question,
)

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture
def call():
    call = CallFactory(slug="aae-2025")
    add_question(call, "projet", Question.Kind.LONG_TEXT, label="Votre projet")
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre")
    return call


def _body(response):
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


def _sheet(client, call, params=None):
    response = client.get(f"/gestion/appels/{call.pk}/candidatures/export.xlsx", params or {})
    body = _body(response)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="candidatures-aae-2025.xlsx"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:
        assert workbook.testzip() is None
        return workbook.read("xl/worksheets/sheet1.xml").decode()


def _document(application, key, name, content):
    return DocumentFactory(application=application, question_key=key, name=name, content=content)


def test_xlsx_has_the_csv_columns_rows_and_no_formula(staff_client, call):
    ApplicationFactory(
        call=call,
        reference="AAE-0001",
        organisation=OrganisationFactory(name='=HYPERLINK("http://x")'),
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        answers={"projet": "+33 1 23 & <b>"},
    )
    ApplicationFactory(call=call, reference="AAE-0002")
    sheet = _sheet(staff_client, call)
    for text in ["Numéro", "Votre projet", "Lettre", "AAE-0001", "AAE-0002", "Déposé"]:
        assert text in sheet
    assert "=HYPERLINK(&quot;http://x&quot;)" in sheet or '=HYPERLINK("http://x")' in sheet
    assert "+33 1 23 &amp; &lt;b&gt;" in sheet
    assert "<f>" not in sheet and "<f " not in sheet
    assert len(re.findall(r"<row ", sheet)) == 3


def test_xlsx_applies_the_list_filters_and_the_label_filter(staff_client, staff, call):
    ApplicationFactory(call=call, reference="F-1")
    tagged = ApplicationFactory(
        call=call, reference="F-2", status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    ApplicationFactory(
        call=call, reference="F-3", status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    sheet = _sheet(staff_client, call, {"status": "submitted"})
    assert "F-1" not in sheet and "F-2" in sheet and "F-3" in sheet
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    services_labels.add_label(application=tagged, label=label, by=staff)
    sheet = _sheet(staff_client, call, {"label": label.pk})
    assert "F-2" in sheet and "F-1" not in sheet and "F-3" not in sheet


def test_xlsx_of_10000_applications(staff_client, call):
    organisation = OrganisationFactory()
    revision = call.current_revision
    Application.objects.bulk_create(
        [
            Application(
                call=call,
                organisation=organisation,
                revision=revision,
                reference=f"M-{n:05d}",
                status=Status.WITHDRAWN,
                answers={"projet": f"Projet {n}"},
            )
            for n in range(10_000)
        ]
    )
    sheet = _sheet(staff_client, call)
    assert "M-00000" in sheet and "M-09999" in sheet
    assert len(re.findall(r"<row ", sheet)) == 10_001


def _archive(client, call, params=None):
    response = client.get(f"/gestion/appels/{call.pk}/documents.zip", params or {})
    body = _body(response)
    assert response["Content-Type"] == "application/zip"
    assert 'filename="documents-aae-2025.zip"' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(body))


def test_zip_names_entries_by_reference_key_and_name_with_suffixes_and_matching_sha256(
    staff_client, call
):
    first = ApplicationFactory(call=call, reference="Z-1")
    second = ApplicationFactory(call=call, reference="Z-2")
    documents = [
        _document(first, "lettre", "lettre.pdf", b"%PDF-1 one"),
        _document(first, "lettre", "lettre.pdf", b"%PDF-1 two"),
        _document(first, "lettre", "Lettre.pdf", b"%PDF-1 three"),
        _document(first, "annexe", "../../etc/passwd", b"%PDF-1 four"),
        _document(second, "lettre", 'a:b*c?"d<e>|f\\g/h.pdf', b"%PDF-1 five"),
        _document(second, "lettre", "lettre.pdf", b"%PDF-1 six"),
    ]
    removed = _document(second, "lettre", "ancienne.pdf", b"%PDF-1 old")
    Document.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    with _archive(staff_client, call) as archive:
        names = archive.namelist()
        assert names == [
            "Z-1/annexe/_.._etc_passwd",
            "Z-1/lettre/lettre.pdf",
            "Z-1/lettre/lettre-2.pdf",
            "Z-1/lettre/Lettre-3.pdf",
            "Z-2/lettre/a_b_c__d_e__f_g_h.pdf",
            "Z-2/lettre/lettre.pdf",
        ]
        by_sha = {hashlib.sha256(archive.read(name)).hexdigest() for name in names}
        assert by_sha == {document.sha256 for document in documents}
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())


def test_zip_applies_the_filters(staff_client, staff, call):
    draft = ApplicationFactory(call=call, reference="Z-1")
    submitted = ApplicationFactory(
        call=call, reference="Z-2", status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    _document(draft, "lettre", "a.pdf", b"a")
    _document(submitted, "lettre", "b.pdf", b"b")
    with _archive(staff_client, call, {"status": "submitted"}) as archive:
        assert archive.namelist() == ["Z-2/lettre/b.pdf"]
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    services_labels.add_label(application=draft, label=label, by=staff)
    with _archive(staff_client, call, {"label": label.pk}) as archive:
        assert archive.namelist() == ["Z-1/lettre/a.pdf"]


def test_zip_lists_files_missing_from_storage(staff_client, call):
    application = ApplicationFactory(call=call, reference="Z-1")
    document = _document(application, "lettre", "a.pdf", b"a")
    document.file.storage.delete(document.file.name)
    with _archive(staff_client, call) as archive:
        assert archive.namelist() == ["fichiers-manquants.txt"]
        assert "Z-1/lettre/a.pdf" in archive.read("fichiers-manquants.txt").decode()


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("rapport final.pdf", "rapport final.pdf"),
        ("..", "fichier"),
        ("", "fichier"),
        ("CON.pdf", "_CON.pdf"),
        ("a/b\\c", "a_b_c"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        ("tab\there\n.pdf", "tab_here_.pdf"),
    ],
)
def test_safe_name(raw, safe):
    assert safe_name(raw) == safe
