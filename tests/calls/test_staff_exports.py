"""The CSV export of a call's applications (Excel in French, streamed, injection-safe)."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from qmi.calls.exports import neutralise
from qmi.calls.models import Application, Question
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionCommuneFactory,
    OrganisationFactory,
    add_question,
)
from tests.utils import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db
Status = Application.Status


@pytest.fixture
def call():
    call = CallFactory(slug="aae-2025")
    add_question(call, "projet", Question.Kind.LONG_TEXT, label="Votre projet")
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING, label="Communes souhaitées")
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre")
    return call


def _export(client, call, params=None):
    response = client.get(f"/gestion/appels/{call.pk}/candidatures/export.csv", params or {})
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    return response, body


def _rows(body):
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_is_utf8_with_bom_semicolons_and_one_row_per_application(staff_client, call):
    sceaux = EditionCommuneFactory(edition=call.edition, commune__name="Sceaux")
    ApplicationFactory(
        call=call,
        reference="AAE-0001",
        organisation=OrganisationFactory(name="Vytal", country="DE"),
        status=Status.SUBMITTED,
        submitted_at=datetime.datetime(2025, 2, 1, 11, 30, tzinfo=datetime.UTC),
        answers={"projet": "Emballages réutilisables; consignés", "communes": [str(sceaux.pk)]},
    )
    ApplicationFactory(call=call, reference="AAE-0002")
    response, body = _export(staff_client, call)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="candidatures-aae-2025.csv"' in response["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    rows = _rows(body)
    assert rows[0] == [
        "Numéro",
        "Organisation",
        "Type",
        "Pays",
        "État",
        "Déposé le (heure de Paris)",
        "Votre projet",
        "Communes souhaitées",
        "Lettre",
    ]
    assert len(rows) == 3
    first = next(row for row in rows if row[0] == "AAE-0001")
    assert first[1:7] == [
        "Vytal",
        "Expérimentateur",
        "DE",
        "Déposé",
        "01/02/2025 12:30",  # Paris time
        "Emballages réutilisables; consignés",
    ]
    assert first[7] == "1. Sceaux"


def test_export_neutralises_formulas(staff_client, call):
    ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(name="@SUM(A1)"),
        answers={"projet": '=HYPERLINK("https://evil.example","clic")'},
    )
    rows = _rows(_export(staff_client, call)[1])
    assert rows[1][1] == "'@SUM(A1)"
    assert rows[1][6] == '\'=HYPERLINK("https://evil.example","clic")'


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        "+33 1 23",
        "-2+3",
        "@cmd",
        "\tx",
        "  =1+1",
        "\t@x",
        "\r=1+1",
        "\n-1+2",
        " \t +A1",
        "\u00a0=1+1",
        "\uff1d1+1",
        "  \uff20SUM(A1)",
        "- 3",
    ],
)
def test_neutralise_prefixes_what_a_spreadsheet_may_read_as_a_formula(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3", "+33", "12,5", "-0.75", "42"])
def test_neutralise_leaves_plain_numbers_as_numbers(cell):
    assert neutralise(cell) == cell


@pytest.mark.parametrize("cell", ["Sceaux", "a = b", "e-mail", "  Sceaux", "x@y.fr", ""])
def test_neutralise_keeps_plain_text(cell):
    assert neutralise(cell) == cell


def test_neutralise_of_nothing_is_an_empty_cell():
    assert neutralise(None) == ""


def test_export_neutralises_formulas_behind_blanks(staff_client, call):
    ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(name="  =1+1"),
        answers={"projet": "\t@SUM(A1)"},
    )
    rows = _rows(_export(staff_client, call)[1])
    assert rows[1][1] == "'  =1+1"
    assert rows[1][6] == "'\t@SUM(A1)"


def test_export_applies_the_list_filters(staff_client, call):
    ApplicationFactory(call=call, reference="AAE-0001")
    ApplicationFactory(
        call=call, reference="AAE-0002", status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    rows = _rows(_export(staff_client, call, {"status": "submitted"})[1])
    assert [row[0] for row in rows[1:]] == ["AAE-0002"]
    rows = _rows(_export(staff_client, call, {"q": "0001"})[1])
    assert [row[0] for row in rows[1:]] == ["AAE-0001"]


def test_export_query_count_does_not_grow_with_applications(staff_client, call):
    commune = EditionCommuneFactory(edition=call.edition)
    for _ in range(2):
        ApplicationFactory(call=call, answers={"projet": "x", "communes": [str(commune.pk)]})
    url = f"/gestion/appels/{call.pk}/candidatures/export.csv"
    assert count_queries(staff_client, url).content.count(b"\r\n") == 3

    def grow():
        for _ in range(18):
            ApplicationFactory(call=call, answers={"projet": "x", "communes": [str(commune.pk)]})

    large = assert_constant_queries(staff_client, url, grow=grow)
    assert large.content.count(b"\r\n") == 21
