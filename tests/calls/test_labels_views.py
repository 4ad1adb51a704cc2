"""Labels and private notes in the back office: pages, list column, bulk action, who sees what."""

import pytest
from django.utils import timezone

from qmi.calls.models import Application, ApplicationLabel, Label, Question, StaffNote
from qmi.calls.services import examination
from qmi.calls.services import labels as services_labels
from qmi.core.audit import entries_for
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    UserFactory,
    add_question,
    staff_user,
)
from tests.utils import assert_constant_queries, listed_references, pdf_text

pytestmark = pytest.mark.django_db
Status = Application.Status
SECRET = "Note-confidentielle-7319"


@pytest.fixture
def call():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet")
    return call


def _list(call):
    return f"/gestion/appels/{call.pk}/candidatures/"


def test_staff_create_rename_and_delete_labels_from_the_labels_page(staff_client, call):
    url = f"/gestion/appels/{call.pk}/etiquettes/"
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {"new-name": "À relire", "new-colour": "red"})
    assert response.status_code == 302
    label = Label.objects.get(call=call)
    page = staff_client.get(url).content.decode()
    assert "qmi-label qmi-label-red" in page and "À relire" in page
    assert "style=" not in page.split("<main", 1)[-1]
    prefix = f"label-{label.pk}"
    staff_client.post(f"{url}{label.pk}/", {f"{prefix}-name": "Jury", f"{prefix}-colour": "green"})
    label.refresh_from_db()
    assert (label.name, label.colour) == ("Jury", "green")
    # A duplicate name is refused with a message, nothing changes.
    response = staff_client.post(url, {"new-name": "jury", "new-colour": "blue"})
    assert response.status_code == 200
    assert "déjà une étiquette de ce nom" in response.content.decode()
    staff_client.post(f"{url}{label.pk}/supprimer/")
    assert not Label.objects.exists()
    assert entries_for(call).count() == 3


def test_application_page_adds_and_removes_labels(staff_client, staff, call):
    application = ApplicationFactory(call=call)
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    services_labels.create_label(call=CallFactory(), by=staff, name="Ailleurs", colour="red")
    page = staff_client.get(f"/gestion/candidatures/{application.pk}/").content.decode()
    assert 'id="labels-title"' in page and "Ailleurs" not in page
    url = f"/gestion/candidatures/{application.pk}/etiquettes/"
    staff_client.post(url, {"action": "add", "label": label.pk})
    assert list(application.labels.all()) == [label]
    page = staff_client.get(f"/gestion/candidatures/{application.pk}/").content.decode()
    assert "Retirer l&#x27;étiquette Jury" in page or "Retirer l'étiquette Jury" in page
    staff_client.post(url, {"action": "remove", "label": label.pk})
    assert not application.labels.exists()
    # A label of another call is refused.
    other = Label.objects.get(name="Ailleurs")
    staff_client.post(url, {"action": "add", "label": other.pk})
    assert not application.labels.exists()


def test_list_shows_labels_and_bulk_adds_a_label_to_checked_applications(staff_client, staff, call):
    first = ApplicationFactory(call=call, reference="L-1")
    second = ApplicationFactory(
        call=call, reference="L-2", status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    ApplicationFactory(call=call, reference="L-3")
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="purple")
    page = staff_client.get(_list(call)).content.decode()
    # With labels, every row can be checked (a draft too) and the bulk action is offered.
    assert f'value="{first.pk}" id="select-{first.pk}"' in page
    assert f'formaction="/gestion/appels/{call.pk}/candidatures/etiquetage/"' in page
    response = staff_client.post(
        f"/gestion/appels/{call.pk}/candidatures/etiquetage/",
        {"selected": [first.pk, second.pk], "label": label.pk, "query": "status=draft"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?status=draft")
    assert set(label.applications.values_list("reference", flat=True)) == {"L-1", "L-2"}
    page = staff_client.get(_list(call)).content.decode()
    assert page.count('class="qmi-label qmi-label-purple">Jury</span>') == 2
    assert entries_for(first).get().actor == staff


def test_bulk_without_selection_or_label_is_refused(staff_client, staff, call):
    application = ApplicationFactory(call=call)
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    url = f"/gestion/appels/{call.pk}/candidatures/etiquetage/"
    staff_client.post(url, {"label": label.pk})
    staff_client.post(url, {"selected": [application.pk], "label": "abc"})
    assert not ApplicationLabel.objects.exists()


def test_list_without_labels_keeps_only_submitted_rows_checkable(staff_client, call):
    draft = ApplicationFactory(call=call)
    page = staff_client.get(_list(call)).content.decode()
    assert f'id="select-{draft.pk}"' not in page
    assert "etiquetage" not in page


def _fill(call, labels, count, start):
    for n in range(start, start + count):
        application = ApplicationFactory(call=call, reference=f"Q-{n:03d}")
        for label in labels:
            ApplicationLabel.objects.create(application=application, label=label)


def test_list_query_count_with_labels_is_the_same_for_2_and_20(
    staff_client, staff, call, uncached_fragments
):
    labels = [
        services_labels.create_label(call=call, by=staff, name=f"L{n}", colour="blue")
        for n in range(3)
    ]
    _fill(call, labels, 2, 0)
    large = assert_constant_queries(
        staff_client, _list(call), grow=lambda: _fill(call, labels, 18, 2)
    )
    assert len(listed_references(large.response)) == 20
    assert large.content.decode().count("qmi-label qmi-label-blue") == 60


# Private notes -------------------------------------------------------------------------


def test_staff_add_a_note_and_delete_their_own_only(client, call):
    application = ApplicationFactory(call=call)
    author, colleague = staff_user(), staff_user()
    client.force_login(author)
    url = f"/gestion/candidatures/{application.pk}/notes/"
    client.post(url, {"body": "À rappeler lundi."})
    note = StaffNote.objects.get()
    assert note.author == author
    page = client.get(f"/gestion/candidatures/{application.pk}/").content.decode()
    assert "À rappeler lundi." in page and f"/notes/{note.pk}/supprimer/" in page
    client.post(url, {"body": "   "})
    assert StaffNote.objects.count() == 1
    client.force_login(colleague)
    page = client.get(f"/gestion/candidatures/{application.pk}/").content.decode()
    assert "À rappeler lundi." in page and f"/notes/{note.pk}/supprimer/" not in page
    client.post(f"{url}{note.pk}/supprimer/")
    assert StaffNote.objects.count() == 1
    client.force_login(author)
    client.post(f"{url}{note.pk}/supprimer/")
    assert not StaffNote.objects.exists()


def test_applicants_never_see_notes_or_labels(client, call):
    application = ApplicationFactory(
        call=call,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
        answers={"projet": "Bancs frais"},
    )
    application.submissions.create(
        number=1, revision=application.revision, answers=application.answers
    )
    staff = staff_user()
    services_labels.add_note(application=application, by=staff, body=SECRET)
    label = services_labels.create_label(call=call, by=staff, name="Label-Secret-55", colour="red")
    services_labels.add_label(application=application, label=label, by=staff)
    member = UserFactory()
    MembershipFactory(user=member, organisation=application.organisation)
    client.force_login(member)
    base = f"/candidatures/{application.pk}"
    for url in ["/candidatures/", f"{base}/", f"{base}/recapitulatif/", f"{base}/sections/1/"]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        body = response.content.decode()
        assert SECRET not in body and "Label-Secret-55" not in body, url
    response = client.get(f"{base}/depots/1/accuse-de-reception.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Bancs frais" in text
    assert SECRET not in text and "Label-Secret-55" not in text


# Permissions ------------------------------------------------------------------------------


def test_every_new_url_is_404_for_non_staff(client, call):
    application = ApplicationFactory(call=call)
    staff = staff_user()
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    note = services_labels.add_note(application=application, by=staff, body=SECRET)
    member = UserFactory()
    MembershipFactory(user=member, organisation=application.organisation)
    gets = [
        f"/gestion/appels/{call.pk}/etiquettes/",
        f"/gestion/appels/{call.pk}/candidatures/export.xlsx",
        f"/gestion/appels/{call.pk}/documents.zip",
    ]
    posts = [
        (f"/gestion/appels/{call.pk}/etiquettes/", {"new-name": "X", "new-colour": "blue"}),
        (
            f"/gestion/appels/{call.pk}/etiquettes/{label.pk}/",
            {f"label-{label.pk}-name": "X", f"label-{label.pk}-colour": "red"},
        ),
        (f"/gestion/appels/{call.pk}/etiquettes/{label.pk}/supprimer/", {}),
        (
            f"/gestion/appels/{call.pk}/candidatures/etiquetage/",
            {"selected": [application.pk], "label": label.pk},
        ),
        (
            f"/gestion/candidatures/{application.pk}/etiquettes/",
            {"action": "remove", "label": label.pk},
        ),
        (f"/gestion/candidatures/{application.pk}/notes/", {"body": "Hello"}),
        (f"/gestion/candidatures/{application.pk}/notes/{note.pk}/supprimer/", {}),
    ]
    for user in (member, UserFactory()):
        client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
    client.logout()
    assert client.get(gets[0]).status_code == 302  # to the login page
    assert Label.objects.get().name == "Jury"
    assert StaffNote.objects.count() == 1
    assert not ApplicationLabel.objects.exists()


def test_list_and_csv_filter_by_label(staff_client, staff, call):
    tagged = ApplicationFactory(call=call, reference="T-1")
    ApplicationFactory(call=call, reference="T-2")
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    services_labels.add_label(application=tagged, label=label, by=staff)
    response = staff_client.get(_list(call), {"label": label.pk})
    assert listed_references(response) == ["T-1"]
    csv = b"".join(
        staff_client.get(
            f"/gestion/appels/{call.pk}/candidatures/export.csv", {"label": label.pk}
        ).streaming_content
    ).decode()
    assert "T-1" in csv and "T-2" not in csv


def test_the_kept_rows_follow_labels_statuses_and_names(staff_client, staff, call):
    """The list keeps its rendered rows; each change below shows on the next view."""
    application = ApplicationFactory(
        call=call, reference="K-1", status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    label = services_labels.create_label(call=call, by=staff, name="Jury", colour="blue")
    first = staff_client.get(_list(call)).content.decode()
    assert "qmi-label-blue" not in first and "Déposé" in first
    assert staff_client.get(_list(call)).content.decode().count("K-1") == first.count("K-1")

    services_labels.bulk_add_label(
        call=call, application_ids=[application.pk], label=label, by=staff
    )  # a bulk insert: no signal, the service says it
    assert "qmi-label qmi-label-blue" in staff_client.get(_list(call)).content.decode()
    examination.mark_complete(application=application, by=staff)
    assert "application-status-complete" in staff_client.get(_list(call)).content.decode()
    application.organisation.name = "Nouveau nom SAS"
    application.organisation.save()
    assert "Nouveau nom SAS" in staff_client.get(_list(call)).content.decode()
