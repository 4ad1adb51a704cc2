"""Publishing the form: drafts move to the new revision with their answers, submitted files stay."""

import pytest
from django.utils import timezone

from qmi.calls.models import Application, Call, Question, Section
from qmi.calls.queries import questions_of
from qmi.core.audit import entries_for
from tests.factories import ApplicationFactory, CallFactory, add_question
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db

URL = "/gestion/appels/{pk}/formulaire/"


def edit_label(client, call, question, label):
    return client.post(
        URL.format(pk=call.pk) + f"questions/{question.pk}/",
        {"kind": question.kind, "key": question.key, "label": label, "required": "on"},
    )


def test_publish_moves_drafts_and_keeps_answers_by_key(staff_client):
    call = CallFactory()
    kept = add_question(call, "kept")
    dropped = add_question(call, "dropped")
    old = call.current_revision
    draft = ApplicationFactory(call=call, answers={"kept": "réponse gardée", "dropped": "x"})
    correcting = ApplicationFactory(
        call=call, status=Application.Status.CORRECTION_REQUESTED, submitted_at=timezone.now()
    )
    edit_label(staff_client, call, kept, "Question gardée")
    # Once the draft exists, staff work on its rows (the published ones are stale).
    dropped_in_draft = Question.objects.get(
        section__revision__published_at__isnull=True, key=dropped.key
    )
    staff_client.post(URL.format(pk=call.pk) + f"questions/{dropped_in_draft.pk}/supprimer/")
    response = staff_client.post(URL.format(pk=call.pk) + "publier/", follow=True)
    body = response.content.decode()
    assert "2 brouillons utilisent désormais cette révision" in body
    new = call.current_revision
    assert new.number == old.number + 1
    draft.refresh_from_db()
    correcting.refresh_from_db()
    assert draft.revision == new and correcting.revision == new
    assert draft.answers["kept"] == "réponse gardée"
    assert [q.key for q in questions_of(draft.revision)] == ["kept"]


def test_publish_leaves_submitted_applications_on_their_revision(staff_client):
    call = CallFactory()
    question = add_question(call, "a")
    old = call.current_revision
    submitted = ApplicationFactory(
        call=call, status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    complete = ApplicationFactory(
        call=call, status=Application.Status.COMPLETE, submitted_at=timezone.now()
    )
    edit_label(staff_client, call, question, "Changé")
    staff_client.post(URL.format(pk=call.pk) + "publier/")
    assert call.current_revision != old
    submitted.refresh_from_db()
    complete.refresh_from_db()
    assert submitted.revision == old and complete.revision == old
    assert Question.objects.get(section__revision=old, key="a").label == "A"


def test_publish_without_changes_says_so(staff_client):
    call = CallFactory()
    add_question(call, "a")
    response = staff_client.post(URL.format(pk=call.pk) + "publier/", follow=True)
    assert "Aucune modification à publier" in response.content.decode()
    assert call.revisions.count() == 1


def test_publish_empty_form_is_refused(staff_client):
    call = CallFactory(revision=None)
    call.revisions.all().delete()
    staff_client.post(URL.format(pk=call.pk) + "sections/nouvelle/", {"title": "Vide"})
    response = staff_client.post(URL.format(pk=call.pk) + "publier/", follow=True)
    assert "aucune question" in response.content.decode()
    assert call.current_revision is None


def test_revisions_page_lists_dates_and_application_counts(staff_client):
    call = CallFactory()
    question = add_question(call, "a")
    old = call.current_revision
    ApplicationFactory(call=call, status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    ApplicationFactory(call=call, status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    ApplicationFactory(call=call)
    edit_label(staff_client, call, question, "Changé")
    staff_client.post(URL.format(pk=call.pk) + "publier/")
    response = staff_client.get(URL.format(pk=call.pk) + "revisions/")
    rows = {row["revision"].number: row for row in response.context["rows"]}
    assert rows[old.number]["total"] == 2
    assert rows[old.number]["by_status"] == [("Déposé", 2)]
    assert rows[old.number + 1]["total"] == 1
    assert rows[old.number + 1]["by_status"] == [("Brouillon", 1)]
    body = response.content.decode()
    assert "Déposé : 2" in body and "Brouillon : 1" in body


def test_revisions_page_query_count_does_not_grow(staff_client):
    call = CallFactory()
    ApplicationFactory.create_batch(2, call=call)
    large = assert_constant_queries(
        staff_client,
        URL.format(pk=call.pk) + "revisions/",
        grow=lambda: ApplicationFactory.create_batch(18, call=call),
    )
    assert large.queries <= 12


def test_discard_draft_deletes_its_rows_audits_and_shows_the_published_form(staff_client, staff):
    call = CallFactory()
    question = add_question(call, "name")
    published = call.current_revision
    builder = staff_client.get(URL.format(pk=call.pk)).content.decode()
    assert "Abandonner la révision" not in builder
    edit_label(staff_client, call, question, "Nouveau libellé")
    draft = call.revisions.get(published_at__isnull=True)
    builder = staff_client.get(URL.format(pk=call.pk)).content.decode()
    assert f"Abandonner la révision {draft.number}" in builder and "data-confirm" in builder
    response = staff_client.post(URL.format(pk=call.pk) + "abandonner/", follow=True)
    body = response.content.decode()
    assert "Les modifications non publiées ont été abandonnées" in body
    assert list(call.revisions.all()) == [published]
    assert not Question.objects.filter(section__revision_id=draft.pk).exists()
    assert [q.label for q in questions_of(published)] == ["Name"]
    assert response.context["revision"] == published and "Abandonner la révision" not in body
    entry = entries_for(call).get(action="form_draft_discarded")
    assert entry.actor == staff and entry.changes == {"révision": [draft.number, published.number]}
    assert "abandonnée avec sa question" in entry.note


def test_discard_is_refused_for_the_only_revision_and_without_a_draft(staff_client):
    call = CallFactory()
    add_question(call, "name")
    response = staff_client.post(URL.format(pk=call.pk) + "abandonner/", follow=True)
    assert "Aucune modification en cours" in response.content.decode()
    preparing = CallFactory(status=Call.Status.DRAFT)
    preparing.revisions.update(published_at=None)
    section = Section.objects.create(revision=preparing.revisions.get(), order=1, title="Un")
    add_question(preparing, "name", section=section)
    response = staff_client.post(URL.format(pk=preparing.pk) + "abandonner/", follow=True)
    assert "la seule du formulaire" in response.content.decode()
    assert preparing.revisions.count() == 1
    assert Question.objects.filter(section__revision__call=preparing).count() == 1
    assert not entries_for(preparing).filter(action="form_draft_discarded").exists()


def test_discard_is_refused_once_an_application_started_on_the_draft(staff_client):
    call = CallFactory()
    question = add_question(call, "name")
    edit_label(staff_client, call, question, "Nouveau libellé")
    draft = call.revisions.get(published_at__isnull=True)
    ApplicationFactory(call=call, revision=draft)
    response = staff_client.post(URL.format(pk=call.pk) + "abandonner/", follow=True)
    assert "Des candidatures ont commencé sur cette révision" in response.content.decode()
    assert call.revisions.filter(pk=draft.pk).exists()
