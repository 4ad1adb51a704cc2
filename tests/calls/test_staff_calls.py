"""Back office of calls: the call form, its moves, information sessions, FAQ and figures."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from qmi.calls.models import Application, Call, FaqEntry
from qmi.core.models import AuditEntry
from qmi.events.models import Event, Registration
from qmi.events.queries import events_about
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionFactory,
    OrganisationFactory,
    information_session,
)

pytestmark = pytest.mark.django_db


def _call_data(edition, **overrides):
    data = {
        "edition": edition.pk,
        "kind": Call.Kind.PROJECTS,
        "title": "Appel à expérimenter 2025",
        "slug": "appel-2025",
        "presentation": "<p>Bienvenue</p>",
        "eligible_kinds": ["experimenter"],
        "opens_at": "2025-01-20T09:00",
        "closes_at": "2025-02-23T23:59",
        "contact_name": "Paris&Co",
        "contact_email": "appel@parisandco.fr",
        "criteria": "Pertinence",
        "reference_prefix": "AAE2",
    }
    data.update(overrides)
    return data


def test_call_create_saves_dates_in_paris_time_with_audit(staff_client):
    edition = EditionFactory()
    response = staff_client.post("/gestion/appels/nouveau/", _call_data(edition))
    call = Call.objects.get(slug="appel-2025")
    assert response.status_code == 302
    assert response["Location"] == f"/gestion/appels/{call.pk}/"
    # 9:00 in Paris in winter is 8:00 UTC.
    assert call.opens_at == datetime.datetime(2025, 1, 20, 8, 0, tzinfo=datetime.UTC)
    assert call.status == Call.Status.DRAFT
    assert call.eligible_kinds == ["experimenter"]
    assert AuditEntry.objects.filter(object_id=str(call.pk), action="created").exists()


def test_call_create_closing_before_opening_is_refused_and_keeps_input(staff_client):
    edition = EditionFactory()
    data = _call_data(edition, opens_at="2025-03-01T10:00", closes_at="2025-02-01T10:00")
    response = staff_client.post("/gestion/appels/nouveau/", data)
    assert response.status_code == 200
    assert not Call.objects.exists()
    form = response.context["form"]
    assert form.errors["closes_at"] == ["La clôture doit être postérieure à l'ouverture."]
    html = response.content.decode()
    assert "La clôture doit être postérieure à l&#x27;ouverture." in html
    assert 'value="Appel à expérimenter 2025"' in html
    assert 'value="2025-03-01T10:00"' in html


def test_call_create_presentation_is_sanitised(staff_client):
    edition = EditionFactory()
    dirty = (
        '<p>Texte <strong>gras</strong><script>alert("x")</script></p>'
        '<a href="https://qmi.example/" onclick="steal()">lien</a>'
        '<a href="javascript:alert(1)">mauvais</a><img src=x onerror="y()">'
    )
    staff_client.post("/gestion/appels/nouveau/", _call_data(edition, presentation=dirty))
    presentation = Call.objects.get(slug="appel-2025").presentation
    assert "<script" not in presentation and "alert" not in presentation
    assert "onclick" not in presentation and "onerror" not in presentation
    assert "<img" not in presentation and "javascript:" not in presentation
    assert "<strong>gras</strong>" in presentation
    assert '<a href="https://qmi.example/" rel="noopener">lien</a>' in presentation


def test_call_edit_shows_paris_time_and_audits_the_change(staff_client):
    call = CallFactory(
        opens_at=datetime.datetime(2025, 6, 1, 7, 0, tzinfo=datetime.UTC),
        closes_at=datetime.datetime(2025, 7, 1, 7, 0, tzinfo=datetime.UTC),
    )
    response = staff_client.get(f"/gestion/appels/{call.pk}/modifier/")
    assert 'value="2025-06-01T09:00:00"' in response.content.decode()  # summer: UTC+2
    data = _call_data(
        call.edition,
        slug=call.slug,
        title="Nouveau titre",
        opens_at="2025-06-01T09:00",
        closes_at="2025-07-01T09:00",
    )
    response = staff_client.post(f"/gestion/appels/{call.pk}/modifier/", data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Nouveau titre"
    entry = AuditEntry.objects.get(object_id=str(call.pk), action="updated")
    assert entry.changes["title"][1] == "Nouveau titre"


def test_call_publish_requires_a_published_form(staff_client):
    call = CallFactory(status=Call.Status.DRAFT)
    call.revisions.update(published_at=None)
    response = staff_client.post(
        f"/gestion/appels/{call.pk}/etat/", {"target": "published"}, follow=True
    )
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert "Publiez d&#x27;abord le formulaire de l&#x27;appel." in response.content.decode()


def test_call_publish_close_and_reopen_are_audited(staff_client):
    call = CallFactory(status=Call.Status.DRAFT)
    for target in ("published", "closed", "published"):
        response = staff_client.post(f"/gestion/appels/{call.pk}/etat/", {"target": target})
        assert response.status_code == 302
        call.refresh_from_db()
        assert call.status == target
    moves = AuditEntry.objects.filter(object_id=str(call.pk), action="transition").order_by("pk")
    assert [entry.changes["status"] for entry in moves] == [
        ["draft", "published"],
        ["published", "closed"],
        ["closed", "published"],
    ]


def test_call_move_from_wrong_state_is_refused_with_a_message(staff_client):
    call = CallFactory(status=Call.Status.DRAFT)
    response = staff_client.post(
        f"/gestion/appels/{call.pk}/etat/", {"target": "closed"}, follow=True
    )
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert "n&#x27;est pas possible depuis l&#x27;état actuel" in response.content.decode()


def test_call_page_offers_only_the_possible_moves(staff_client):
    call = CallFactory(status=Call.Status.PUBLISHED)
    html = staff_client.get(f"/gestion/appels/{call.pk}/").content.decode()
    assert 'value="closed"' in html
    assert ">Publier<" not in html
    assert f'href="/gestion/appels/{call.pk}/formulaire/"' in html
    assert f'href="/gestion/appels/{call.pk}/candidatures/"' in html


def test_session_end_before_start_is_refused(staff_client):
    call = CallFactory()
    response = staff_client.post(
        f"/gestion/appels/{call.pk}/reunions/nouvelle/",
        {"title": "Webinaire", "starts_at": "2023-11-14T10:00", "ends_at": "2023-11-14T09:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["La fin doit être postérieure au début."]
    assert not Event.objects.exists()


def test_session_add_edit_delete_are_audited_on_the_call(staff_client):
    call = CallFactory()
    staff_client.post(
        f"/gestion/appels/{call.pk}/reunions/nouvelle/",
        {
            "title": "Webinaire",
            "starts_at": "2023-11-14T09:00",
            "ends_at": "2023-11-14T10:00",
            "link": "https://visio.example/ami",
        },
    )
    session = events_about(call).get()
    assert session.starts_at == datetime.datetime(2023, 11, 14, 8, 0, tzinfo=datetime.UTC)
    staff_client.post(
        f"/gestion/appels/{call.pk}/reunions/{session.pk}/",
        {"title": "Webinaire n° 1", "starts_at": "2023-11-14T09:00", "ends_at": "2023-11-14T10:00"},
    )
    session.refresh_from_db()
    assert session.title == "Webinaire n° 1" and session.link == ""
    staff_client.post(f"/gestion/appels/{call.pk}/reunions/{session.pk}/supprimer/")
    assert not Event.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(call.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "updated", "deleted"]


def test_session_of_another_call_is_not_found(staff_client):
    call, other = CallFactory(), CallFactory()
    session = information_session(
        call=other,
        title="Autre",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert staff_client.get(f"/gestion/appels/{call.pk}/reunions/{session.pk}/").status_code == 404


def test_faq_add_toggle_delete(staff_client):
    call = CallFactory()
    staff_client.post(
        f"/gestion/appels/{call.pk}/faq/nouvelle/",
        {
            "question": "Qui peut candidater ?",
            "answer": "Les startups.",
            "order": 1,
            "is_published": "on",
        },
    )
    entry = FaqEntry.objects.get(call=call)
    assert entry.is_published
    staff_client.post(f"/gestion/appels/{call.pk}/faq/{entry.pk}/publication/")
    entry.refresh_from_db()
    assert not entry.is_published
    entry_audit = AuditEntry.objects.filter(object_id=str(call.pk), action="updated").get()
    assert entry_audit.changes == {"is_published": [True, False]}
    html = staff_client.get(f"/gestion/appels/{call.pk}/").content.decode()
    assert "non publiée" in html
    staff_client.post(f"/gestion/appels/{call.pk}/faq/{entry.pk}/supprimer/")
    assert not FaqEntry.objects.exists()


def test_call_list_counts_applications_per_status(staff_client):
    call = CallFactory(title="Appel compté")
    ApplicationFactory(call=call)
    ApplicationFactory(call=call)
    ApplicationFactory(call=call, status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    response = staff_client.get("/gestion/appels/")
    listed = next(c for c in response.context["page"].object_list if c.pk == call.pk)
    assert listed.application_total == 3
    assert dict(listed.status_counts) == {"Brouillon": 2, "Déposé": 1}


def test_call_page_funnel_by_kind_and_country(staff_client):
    call = CallFactory()
    now = timezone.now()
    ApplicationFactory(call=call)  # started only (French experimenter)
    ApplicationFactory(
        call=call,
        status=Application.Status.COMPLETE,
        submitted_at=now,
        organisation=OrganisationFactory(country="BE"),
    )
    ApplicationFactory(
        call=call,
        status=Application.Status.WITHDRAWN,
        submitted_at=now,
        organisation=OrganisationFactory(country="DE"),
    )
    ApplicationFactory(
        call=call,
        status=Application.Status.INADMISSIBLE,
        submitted_at=now,
        organisation=OrganisationFactory(kind="partner", legal_form=""),
    )
    funnel = staff_client.get(f"/gestion/appels/{call.pk}/").context["funnel"]
    assert funnel["total"] == {"started": 4, "submitted": 3, "complete": 1, "inadmissible": 1}
    assert funnel["abroad"] == {"started": 2, "submitted": 2, "complete": 1, "inadmissible": 0}
    assert funnel["abroad_share"]["started"] == 50
    by_kind = {kind["label"]: kind for kind in funnel["kinds"]}
    assert by_kind["Expérimentateur"]["started"] == 3
    assert by_kind["Partenaire"]["inadmissible"] == 1


def test_deleting_a_session_with_registrants_tells_them(
    staff_client, django_capture_on_commit_callbacks
):
    session = information_session(title="Webinaire")
    for email in ("a@exemple.fr", "b@exemple.fr"):
        Registration.objects.create(
            event=session, name="Camille", email=email, confirmed_at=timezone.now()
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/gestion/appels/{session.about.pk}/reunions/{session.pk}/supprimer/", follow=True
        )
    assert not Event.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@exemple.fr", "b@exemple.fr"]
    assert all(m.attachments[0][0] == "reunion-annulation.ics" for m in mail.outbox)
    assert "Les 2 personnes inscrites ont été prévenues" in response.content.decode()
