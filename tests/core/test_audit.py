import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from qmi.core import audit
from qmi.core.models import CHANGE_LABELS
from qmi.core.textdiff import html_diff
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    OrganisationFactory,
    PhaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_snapshot_and_diff_keep_only_changed_fields():
    phase = PhaseFactory()
    before = audit.snapshot(phase, ["kind", "starts_on", "ends_on"])
    phase.ends_on = datetime.date(2024, 2, 1)
    after = audit.snapshot(phase, ["kind", "starts_on", "ends_on"])
    assert audit.diff(before, after) == {"ends_on": ["2024-01-12", "2024-02-01"]}


def test_audit_entries_are_visible_on_the_object_page_for_staff(staff_client, staff):
    edition = EditionFactory(title="Avant")
    audit.record(obj=edition, actor=staff, action="updated", changes={"title": ["Avant", "Après"]})
    response = staff_client.get(f"/gestion/editions/{edition.pk}/")
    html = response.content.decode()
    assert "Journal des modifications" in html
    assert "Après" in html and staff.email in html


def test_full_audit_list_is_paginated_and_staff_only(client, staff_client, staff):
    edition = EditionFactory()
    for number in range(60):
        audit.record(
            obj=edition, actor=staff, action="updated", changes={"n": [number, number + 1]}
        )
    ct = ContentType.objects.get_for_model(edition)
    url = f"/gestion/journal/{ct.pk}/{edition.pk}/"
    response = staff_client.get(url)
    assert len(response.context["page"].object_list) == 50
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_html_diff_marks_insertions_and_deletions():
    assert (
        str(html_diff("un deux trois", "un quatre trois"))
        == "un <del>deux </del><ins>quatre </ins>trois"
    )


def _table_rows(html):
    """(field, before, after) of every change table row, as a person reads them."""
    return re.findall(
        r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>', html
    )


def test_changes_are_shown_in_words_on_the_page_and_in_the_journal(staff_client, staff):
    application = ApplicationFactory()
    audit.record(
        obj=application,
        actor=staff,
        action="transition",
        changes={"status": ["draft", "submitted"]},
    )
    audit.record(
        obj=application, actor=staff, action="labels", changes={"labels": [None, ["Urgent"]]}
    )
    page = staff_client.get(f"/gestion/candidatures/{application.pk}/").content.decode()
    assert "changement d&#x27;état : Brouillon → Déposé" in page
    assert ("État", "Brouillon", "Déposé") in _table_rows(page)
    assert ("Étiquettes", "—", "Urgent") in _table_rows(page)
    assert "draft" not in "".join(map(str, _table_rows(page)))
    content_type = ContentType.objects.get_for_model(application)
    journal = staff_client.get(f"/gestion/journal/{content_type.pk}/{application.pk}/")
    assert ("État", "Brouillon", "Déposé") in _table_rows(journal.content.decode())


def test_a_model_names_its_fields_and_choices_without_registration():
    organisation = OrganisationFactory()
    entry = audit.record(
        obj=organisation,
        actor=None,
        action="updated",
        changes={"kind": ["experimenter", "partner"], "website": ["", "https://a.fr"]},
    )
    assert entry.change_rows() == [
        {"field": "Type", "before": "Expérimentateur", "after": "Partenaire"},
        {"field": "Site web", "before": "—", "after": "https://a.fr"},
    ]
    assert entry.transition_words() == ""


def test_an_action_may_speak_of_another_models_fields():
    call = CallFactory()
    entry = audit.record(
        obj=call,
        actor=None,
        action="form_question_updated",
        changes={
            "kind": ["short_text", "yes_no"],
            "required": [True, False],
            "condition_key": ["", "_type-organisation"],
            "config": [{"accepted": ["pdf", "text"], "multiple": True}, {}],
            "unknown": [1, 2],
        },
    )
    assert [(row["field"], row["before"], row["after"]) for row in entry.change_rows()] == [
        ("Type", "Texte court", "Oui / non"),
        ("Obligatoire", "oui", "non"),
        ("Condition : question", "—", "Type d'organisation qui candidate"),
        (
            "Réglages",
            "Documents acceptés : PDF, document Word ou OpenDocument ; "
            "Plusieurs fichiers possibles : oui",
            "—",
        ),
        ("unknown", "1", "2"),
    ]
    # The same key on the call's own entries keeps the call's words.
    own = audit.record(
        obj=call, actor=None, action="updated", changes={"kind": ["projects", "projects"]}
    )
    assert own.change_rows()[0]["field"] == "Type d'appel"


def test_register_change_labels_adds_words_for_one_action_only():
    edition = EditionFactory()
    audit.register_change_labels(
        type(edition), actions=["test_only"], fields={"n": "Numéro"}, values={"n": {1: "un"}}
    )
    try:
        named = audit.record(obj=edition, actor=None, action="test_only", changes={"n": [1, 2]})
        other = audit.record(obj=edition, actor=None, action="updated", changes={"n": [1, 2]})
        assert named.change_rows() == [{"field": "Numéro", "before": "un", "after": "2"}]
        assert other.change_rows() == [{"field": "n", "before": "1", "after": "2"}]
    finally:
        CHANGE_LABELS.pop((type(edition)._meta.label_lower, "test_only"))


def test_dates_and_moments_read_in_paris_time():
    edition = EditionFactory()
    entry = audit.record(
        obj=edition,
        actor=None,
        action="updated",
        changes={
            "d": ["2024-01-12", "2024-02-01"],
            "m": ["2026-06-30T21:59:00+00:00", None],
            "t": ["2024-99-99", "pas une date"],
        },
    )
    assert [(row["before"], row["after"]) for row in entry.change_rows()] == [
        ("12 janvier 2024", "1 février 2024"),
        ("30 juin 2026, 23:59", "—"),
        ("2024-99-99", "pas une date"),
    ]
