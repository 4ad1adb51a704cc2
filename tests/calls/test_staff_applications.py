"""The list of a call's applications: filters, search, sort, counts, columns, bulk action."""

import pytest
from django.utils import timezone

from qmi.calls.models import Application, Question
from qmi.core.models import AuditEntry
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionCommuneFactory,
    OrganisationFactory,
    add_question,
)
from tests.utils import assert_constant_queries, listed_references

pytestmark = pytest.mark.django_db
Status = Application.Status


def _url(call):
    return f"/gestion/appels/{call.pk}/candidatures/"


def _references(client, call, params=None):
    response = client.get(_url(call), params or {})
    assert response.status_code == 200
    return listed_references(response)


@pytest.fixture
def call():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.LONG_TEXT)
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING)
    return call


def _submitted(call, reference, **kwargs):
    return ApplicationFactory(
        call=call,
        reference=reference,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        **kwargs,
    )


def test_list_filters_by_status(staff_client, call):
    ApplicationFactory(call=call, reference="A-1")
    _submitted(call, "A-2")
    assert _references(staff_client, call, {"status": "submitted"}) == ["A-2"]
    assert _references(staff_client, call, {"status": "draft"}) == ["A-1"]


def test_list_filters_by_organisation_kind_and_country(staff_client, call):
    ApplicationFactory(call=call, reference="A-1")
    ApplicationFactory(
        call=call, reference="A-2", organisation=OrganisationFactory(kind="partner", legal_form="")
    )
    ApplicationFactory(call=call, reference="A-3", organisation=OrganisationFactory(country="BE"))
    assert _references(staff_client, call, {"kind": "partner"}) == ["A-2"]
    assert _references(staff_client, call, {"country": "BE"}) == ["A-3"]


def test_list_filters_complete_or_not(staff_client, call):
    ApplicationFactory(
        call=call, reference="A-1", status=Status.COMPLETE, submitted_at=timezone.now()
    )
    _submitted(call, "A-2")
    assert _references(staff_client, call, {"complete": "yes"}) == ["A-1"]
    assert _references(staff_client, call, {"complete": "no"}) == ["A-2"]


def test_list_filters_by_commune_wanted_exactly(staff_client, call):
    first = EditionCommuneFactory(edition=call.edition)
    second = EditionCommuneFactory(edition=call.edition)
    ApplicationFactory(call=call, reference="A-1", answers={"communes": [str(first.pk)]})
    ApplicationFactory(
        call=call, reference="A-2", answers={"communes": [str(second.pk), str(first.pk)]}
    )
    # The same number in a text answer is not a wish for that commune.
    ApplicationFactory(
        call=call, reference="A-3", answers={"projet": str(second.pk), "communes": []}
    )
    # An id that merely contains the other's digits does not match either.
    ApplicationFactory(call=call, reference="A-4", answers={"communes": [f"{second.pk}0"]})
    assert sorted(_references(staff_client, call, {"commune": first.pk})) == ["A-1", "A-2"]
    assert _references(staff_client, call, {"commune": second.pk}) == ["A-2"]


def test_list_search_reference_organisation_and_answers(staff_client, call):
    ApplicationFactory(call=call, reference="AAE-0007")
    ApplicationFactory(
        call=call, reference="A-2", organisation=OrganisationFactory(name="Pélican Cycles")
    )
    ApplicationFactory(
        call=call, reference="A-3", answers={"projet": "Des vélos-cargos électriques"}
    )
    assert _references(staff_client, call, {"q": "aae-0007"}) == ["AAE-0007"]
    assert _references(staff_client, call, {"q": "pélican"}) == ["A-2"]
    assert _references(staff_client, call, {"q": "vélos-cargos"}) == ["A-3"]
    assert _references(staff_client, call, {"q": "rien de tel"}) == []


def test_list_sorts_by_reference_organisation_and_status(staff_client, call):
    ApplicationFactory(call=call, reference="A-2", organisation=OrganisationFactory(name="Alpha"))
    ApplicationFactory(
        call=call,
        reference="A-1",
        organisation=OrganisationFactory(name="Zêta"),
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    assert _references(staff_client, call, {"sort": "reference"}) == ["A-1", "A-2"]
    assert _references(staff_client, call, {"sort": "-reference"}) == ["A-2", "A-1"]
    assert _references(staff_client, call, {"sort": "organisation"}) == ["A-2", "A-1"]
    assert _references(staff_client, call, {"sort": "status"}) == [
        "A-2",
        "A-1",
    ]  # draft < submitted


def test_list_ignores_applications_of_other_calls(staff_client, call):
    ApplicationFactory(call=call, reference="A-1")
    ApplicationFactory(reference="B-1")
    assert _references(staff_client, call) == ["A-1"]


def test_list_counts_per_status(staff_client, call):
    ApplicationFactory(call=call)
    _submitted(call, "A-2")
    _submitted(call, "A-3")
    counts = {
        value: count
        for value, _label, count in staff_client.get(_url(call)).context["status_counts"]
    }
    assert counts["draft"] == 1 and counts["submitted"] == 2 and counts["complete"] == 0


def test_list_columns_are_remembered_in_the_session(staff_client, call):
    ApplicationFactory(call=call, answers={"projet": "Toitures végétalisées"})
    response = staff_client.post(
        f"{_url(call)}colonnes/", {"columns": ["status", "q:projet"], "query": "sort=reference"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_url(call)}?sort=reference"
    response = staff_client.get(_url(call))
    assert [column for column, _label in response.context["headers"]] == ["status", "q:projet"]
    assert "Toitures végétalisées" in response.content.decode()


def test_bulk_complete_reports_successes_and_failures(staff_client, call):
    first = _submitted(call, "A-1")
    second = _submitted(call, "A-2")
    draft = ApplicationFactory(call=call, reference="A-3")
    response = staff_client.post(
        f"{_url(call)}action/",
        {"action": "complete", "selected": [first.pk, second.pk, draft.pk]},
        follow=True,
    )
    assert Application.objects.get(pk=first.pk).status == Status.COMPLETE
    assert Application.objects.get(pk=second.pk).status == Status.COMPLETE
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT
    html = response.content.decode()
    assert "2 dossiers déclarés complets : A-1, A-2." in html
    assert "A-3 n&#x27;a pas pu être déclaré complet" in html
    assert AuditEntry.objects.filter(action="transition", object_id=str(first.pk)).exists()


def test_bulk_ignores_applications_of_another_call(staff_client, call):
    other = ApplicationFactory(status=Status.SUBMITTED, submitted_at=timezone.now())
    staff_client.post(f"{_url(call)}action/", {"action": "complete", "selected": [other.pk]})
    assert Application.objects.get(pk=other.pk).status == Status.SUBMITTED


def _fill(call, number, communes):
    for i in range(number):
        ApplicationFactory(
            call=call,
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
            answers={"projet": f"Projet {i}", "communes": [str(communes[i % len(communes)].pk)]},
        )


def test_list_query_count_does_not_grow_with_applications(staff_client, call, uncached_fragments):
    communes = [EditionCommuneFactory(edition=call.edition) for _ in range(2)]
    staff_client.post(
        f"{_url(call)}colonnes/", {"columns": ["status", "kind", "country", "q:communes"]}
    )
    _fill(call, 2, communes)
    url = f"{_url(call)}?q=Projet&sort=organisation"
    large = assert_constant_queries(staff_client, url, grow=lambda: _fill(call, 18, communes))
    assert len(listed_references(large.response)) == 20
